import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EcrStubRequest {
  target: string;
  /** The access key id and the region the request was signed with (SigV4 credential scope). */
  accessKeyId?: string;
  region?: string;
}

export interface EcrStub {
  url: string;
  requests: EcrStubRequest[];
  /** The password the next token carries (ECR's token is base64 of `AWS:<password>`). */
  password: string;
  /** When the tokens handed out expire. */
  expiresAt: Date;
  /** `deny`: AccessDeniedException, as ECR answers a principal without ecr:GetAuthorizationToken. */
  mode: 'allow' | 'deny';
  close(): Promise<void>;
}

const TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    req.on('data', () => undefined);
    req.on('end', () => resolve());
    req.on('error', reject);
  });
}

/** A loopback stand-in for ECR's JSON 1.1 API (GetAuthorizationToken only), so the real AWS SDK runs over HTTP. */
export async function startEcrStub(password: string): Promise<EcrStub> {
  const stub: EcrStub = { url: '', requests: [], password, expiresAt: new Date(Date.now() + 12 * 3600_000), mode: 'allow', close: async () => {} };
  const server = createServer(async (req, res) => {
    await drain(req);
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/ecr\//.exec(req.headers.authorization ?? '');
    const target = String(req.headers['x-amz-target'] ?? '');
    stub.requests.push({ target, accessKeyId: scope?.[1], region: scope?.[2] });
    const json = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) });
      res.end(JSON.stringify(body));
    };
    if (target !== TARGET) return json(400, { __type: 'UnknownOperationException', message: target }, 'UnknownOperationException');
    if (stub.mode === 'deny') {
      return json(400, { __type: 'AccessDeniedException', message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken on resource: *' }, 'AccessDeniedException');
    }
    return json(200, {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${stub.password}`).toString('base64'),
          // JSON 1.1 timestamps are epoch seconds.
          expiresAt: stub.expiresAt.getTime() / 1000,
          proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        },
      ],
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return stub;
}
