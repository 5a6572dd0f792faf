"""What the infrastructure and the Lambda functions must agree on, in one pure package.

Taxonomy, the data layout, physical names, AWS facts, event names and one contract per function
(its environment, tag keys and AWS calls). The program renders from it, the functions parse with
it, and it is the only shared code zipped beside `functions/`: it imports neither Pulumi nor an
AWS SDK, so it runs unchanged in Lambda, in the pack and in the program.
"""
