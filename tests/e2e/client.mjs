// Shared by the end-to-end tests: a real AWS SDK for JavaScript v3 SWF client pointed at the running app.
import { SWFClient } from '@aws-sdk/client-swf';

export const endpoint = process.env.SWF_E2E_ENDPOINT ?? 'http://127.0.0.1:7071';

export function client(credentials = {
  accessKeyId: process.env.SWF_E2E_ACCESS_KEY_ID ?? 'AKIDLOCALDEVELOPMENT',
  secretAccessKey: process.env.SWF_E2E_SECRET_ACCESS_KEY ?? 'local-development-secret-change-me',
}) {
  return new SWFClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

// Names unique to this run, so reruns against a kept Azurite never collide.
export const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
