// The parts of @aws-sdk/client-s3 chartctl uses, imported by name: the package is side-effect free, so
// the bundle keeps these commands and their schemas and leaves out the other ~100 (a whole-module
// import kept all of them, ~0.27 MB of code every repository command read, compiled and evaluated).
// Every dynamic import of the SDK goes through here: one whole-module import anywhere would bring them back.
export { CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
