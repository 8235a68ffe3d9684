/* zlib's deflate, unmodified (wasm/zlib/, v1.3.1), behind the one call chartctl's archives need:
 * a whole buffer in, raw deflate out, at level 9, windowBits 15, memLevel 8, default strategy.
 * Built to WebAssembly by scripts/build-raw-deflate-wasm.mjs: the same bytes on every machine,
 * as pako gives them (a port of the same zlib), at native speed from the first call. */
#include "zlib.h"

extern unsigned char __heap_base;

/* zlib's state comes from a region the caller reserves: one deflate at a time, all freed at its end. */
static unsigned char *state_top;
static unsigned char *state_end;

static voidpf state_alloc(voidpf opaque, uInt items, uInt size) {
  (void)opaque;
  unsigned long n = ((unsigned long)items * size + 15) & ~15UL;
  if (n > (unsigned long)(state_end - state_top)) return Z_NULL;
  unsigned char *p = state_top;
  state_top += n;
  return p;
}

static void state_free(voidpf opaque, voidpf address) {
  (void)opaque;
  (void)address;
}

/* With -mbulk-memory these become memory.copy and memory.fill: zlib calls them by name. */
void *memcpy(void *dst, const void *src, unsigned long n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}

void *memset(void *dst, int c, unsigned long n) {
  __builtin_memset(dst, c, n);
  return dst;
}

/* The first address past this module's own data and stack: the caller's buffers start here. */
unsigned long free_memory_start(void) { return ((unsigned long)&__heap_base + 15) & ~15UL; }

/* Deflates in[0, in_len) into out[0, out_cap), zlib's state in [state, state + state_len).
 * Returns the output's length, or a negative zlib error code (Z_BUF_ERROR: out_cap was too small). */
long deflate_raw(unsigned char *in, unsigned long in_len, unsigned char *out, unsigned long out_cap,
                 unsigned char *state, unsigned long state_len) {
  z_stream s;
  memset(&s, 0, sizeof s);
  state_top = state;
  state_end = state + state_len;
  s.zalloc = state_alloc;
  s.zfree = state_free;
  int rc = deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) return rc;
  s.next_in = in;
  s.avail_in = (uInt)in_len;
  s.next_out = out;
  s.avail_out = (uInt)out_cap;
  rc = deflate(&s, Z_FINISH);
  long written = (long)s.total_out;
  deflateEnd(&s);
  if (rc == Z_STREAM_END) return written;
  return rc == Z_OK ? Z_BUF_ERROR : rc;
}
