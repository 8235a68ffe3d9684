// pako's inflate alone (its lib/inflate.js): chartctl deflates with zlib in WebAssembly (raw-deflate.ts),
// so the bundle leaves pako's deflate out. The class is the one @types/pako declares for the package.
declare module 'pako/lib/inflate.js' {
  export { Inflate } from 'pako';
}
