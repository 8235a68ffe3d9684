// Runs the local S3 server as its own process (for concurrency tests, benchmarks, and anyone who
// wants one by hand): node dist/src/sandbox/s3-server-main.js --directory DIR [--port N] [--host H] [--bucket NAME]...
// Prints one JSON line {"endpoint": "..."} on stdout when ready; stops on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startS3Server } from './s3-server.js';

const { values } = parseArgs({
  options: {
    directory: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    bucket: { type: 'string', multiple: true, default: [] },
  },
});
if (!values.directory) {
  process.stderr.write('s3-server: --directory DIR is required\n');
  process.exit(1);
}
const server = await startS3Server({ directory: values.directory, port: Number(values.port), host: values.host, buckets: values.bucket });
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`);
const stop = () => {
  server.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
