import { ChartctlError } from './errors.js';
import { RAW_DEFLATE_WASM_BASE64 } from './raw-deflate-wasm.js';

/**
 * zlib's own deflate (v1.3.1, level 9, windowBits 15, memLevel 8, default strategy), compiled to
 * WebAssembly (wasm/raw-deflate.c): its bytes are those of the released zlib on every machine, unlike
 * Node's zlib, whose output changes with the zlib build each Node bundles. pako is a JavaScript port of
 * the same deflate with the same bytes, but a cold run spends ~20 ms interpreting it for one chart;
 * this module compiles in under 1 ms and runs at native speed from the first call.
 */
interface RawDeflateModule {
  memory: WebAssembly.Memory;
  free_memory_start(): number;
  deflate_raw(input: number, inputLength: number, output: number, outputRoom: number, state: number, stateLength: number): number;
}

/** zlib's state at these settings: a 64 KiB window, two 64 KiB hash tables and 64 KiB of pending output, with room to spare. */
const STATE_BYTES = 384 * 1024;
const PAGE_BYTES = 64 * 1024;
/** The module addresses its memory with 32 bits; a result length must stay a positive 32-bit integer. */
const MAX_INPUT_BYTES = 1536 * 1024 * 1024;
const Z_BUF_ERROR = -5;

let instance: RawDeflateModule | undefined;

function loaded(): RawDeflateModule {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(RAW_DEFLATE_WASM_BASE64, 'base64'))).exports as unknown as RawDeflateModule;
  return instance;
}

/** zlib's deflateBound for a raw stream at these settings, plus slack: deflate never needs more. */
function outputRoom(length: number): number {
  return length + (length >>> 12) + (length >>> 14) + (length >>> 25) + 64;
}

const align = (n: number) => Math.ceil(n / 16) * 16;

/** The raw deflate stream (no zlib or gzip wrapper) of `data`. */
export function rawDeflate(data: Uint8Array): Uint8Array {
  if (data.length > MAX_INPUT_BYTES) {
    throw new ChartctlError(`The chart archive is ${data.length} bytes before compression; chartctl compresses at most ${MAX_INPUT_BYTES} bytes.`, {
      code: 'ARCHIVE_TOO_LARGE',
      hint: 'Leave large files out of the chart (.helmignore).',
    });
  }
  const zlib = loaded();
  const input = align(zlib.free_memory_start());
  const room = outputRoom(data.length);
  const output = align(input + data.length);
  const state = align(output + room);
  const end = state + STATE_BYTES;
  growTo(zlib.memory, end, data.length);
  new Uint8Array(zlib.memory.buffer, input, data.length).set(data);
  const written = zlib.deflate_raw(input, data.length, output, room, state, STATE_BYTES);
  // Only a broken build gets here: deflate at these settings cannot fail, and `room` is zlib's own bound.
  if (written < 0) throw new Error(`zlib's deflate failed (${written === Z_BUF_ERROR ? 'output room too small' : `error ${written}`})`);
  return new Uint8Array(zlib.memory.buffer, output, written).slice();
}

function growTo(memory: WebAssembly.Memory, bytes: number, archiveBytes: number): void {
  const missing = bytes - memory.buffer.byteLength;
  if (missing <= 0) return;
  try {
    memory.grow(Math.ceil(missing / PAGE_BYTES));
  } catch (err) {
    throw new ChartctlError(`Not enough memory to compress the chart archive (${archiveBytes} bytes before compression).`, { code: 'ARCHIVE_TOO_LARGE', cause: err });
  }
}
