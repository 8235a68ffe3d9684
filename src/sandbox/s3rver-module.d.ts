// s3rver ships no types; the sandbox S3 server uses only its constructor, run() and close().
declare module 's3rver';
