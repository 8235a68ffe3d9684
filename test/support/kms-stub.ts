import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KmsStubRequest {
  action: string;
  body: Record<string, unknown> | string;
  /** The access key id the request was signed with. */
  accessKeyId?: string;
}

export interface KmsStub {
  url: string;
  requests: KmsStubRequest[];
  /** `deny`: every KMS call answers AccessDeniedException, as AWS does for a missing kms:Decrypt grant. */
  mode: 'allow' | 'deny';
  close(): Promise<void>;
}

/** The access key id STS hands out for an assumed role. */
export const ASSUMED_ACCESS_KEY_ID = 'ASIASTUBASSUMEDROLE';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const canonical = (ctx: unknown) => JSON.stringify(Object.entries((ctx ?? {}) as Record<string, string>).sort());

/**
 * A loopback stand-in for the AWS KMS (JSON 1.1) and STS (query) HTTP APIs,
 * so the real AWS SDK is exercised over HTTP. "Ciphertexts" are the key id,
 * encryption context and plaintext in a tagged envelope; Decrypt checks the
 * context and key like KMS would.
 */
export async function startKmsStub(): Promise<KmsStub> {
  const stub: KmsStub = { url: '', requests: [], mode: 'allow', close: async () => {} };
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const target = String(req.headers['x-amz-target'] ?? '');
    const json = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) });
      res.end(JSON.stringify(body));
    };
    if (target.startsWith('TrentService.')) {
      const action = target.slice('TrentService.'.length);
      const body = JSON.parse(raw || '{}') as Record<string, any>;
      stub.requests.push({ action, body, accessKeyId });
      if (stub.mode === 'deny') {
        return json(400, { __type: 'AccessDeniedException', message: `User: arn:aws:iam::111122223333:user/ci is not authorized to perform: kms:${action} on resource: ${body.KeyId}` }, 'AccessDeniedException');
      }
      if (action === 'Encrypt') {
        const envelope = Buffer.from(`stubkms:${JSON.stringify({ keyId: body.KeyId, context: canonical(body.EncryptionContext), plaintext: body.Plaintext })}`);
        return json(200, { CiphertextBlob: envelope.toString('base64'), KeyId: body.KeyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      }
      if (action === 'Decrypt') {
        const text = Buffer.from(String(body.CiphertextBlob), 'base64').toString('utf8');
        const envelope = text.startsWith('stubkms:') ? (JSON.parse(text.slice(8)) as { keyId: string; context: string; plaintext: string }) : undefined;
        if (!envelope || envelope.context !== canonical(body.EncryptionContext) || (body.KeyId && body.KeyId !== envelope.keyId)) {
          return json(400, { __type: 'InvalidCiphertextException', message: 'The ciphertext or encryption context is invalid' }, 'InvalidCiphertextException');
        }
        return json(200, { Plaintext: envelope.plaintext, KeyId: envelope.keyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      }
      return json(400, { __type: 'UnsupportedOperationException', message: action }, 'UnsupportedOperationException');
    }
    const form = new URLSearchParams(raw);
    stub.requests.push({ action: `sts:${form.get('Action')}`, body: raw, accessKeyId });
    if (form.get('Action') === 'AssumeRole') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${ASSUMED_ACCESS_KEY_ID}</AccessKeyId><SecretAccessKey>stub-secret</SecretAccessKey><SessionToken>stub-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROASTUB:${form.get('RoleSessionName')}</AssumedRoleId><Arn>${form.get('RoleArn')}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    }
    res.writeHead(400, { 'content-type': 'text/xml' });
    res.end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unsupported</Message></Error></ErrorResponse>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return stub;
}
