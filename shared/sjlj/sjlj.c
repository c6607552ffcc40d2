/* Runtime that LLVM 16's wasm SjLj lowering (-mllvm -wasm-enable-sjlj) calls into.
 *
 * Each function that calls setjmp keeps a small table of (setjmp id, label) pairs; saveSetjmp adds
 * an entry, testSetjmp finds which label a longjmp returns to, and __wasm_longjmp throws the
 * __c_longjmp tag whose payload points at {env, val}. Same contract as Emscripten's
 * emscripten_setjmp.c for LLVM 16. */
#include <stdint.h>
#include <stdlib.h>

typedef struct {
  uintptr_t id;
  uint32_t label;
} SjljEntry;

static uint32_t gTempRet0;
static uintptr_t gSetjmpId;

uint32_t getTempRet0(void) {
  return gTempRet0;
}
void setTempRet0(uint32_t v) {
  gTempRet0 = v;
}

SjljEntry* saveSetjmp(uintptr_t* env, uint32_t label, SjljEntry* table, uint32_t size) {
  *env = ++gSetjmpId;
  for (uint32_t i = 0; i < size; i++) {
    if (table[i].id == 0) {
      table[i].id = *env;
      table[i].label = label;
      table[i + 1].id = 0;
      setTempRet0(size);
      return table;
    }
  }
  /* Table full: grow it. The caller owns the initial table and frees the grown one. */
  size *= 2;
  table = (SjljEntry*)realloc(table, sizeof(SjljEntry) * (size + 1));
  if (!table) abort();
  gSetjmpId--;
  table = saveSetjmp(env, label, table, size);
  setTempRet0(size);
  return table;
}

uint32_t testSetjmp(uintptr_t id, SjljEntry* table, uint32_t size) {
  for (uint32_t i = 0; i < size && table[i].id != 0; i++) {
    if (table[i].id == id) return table[i].label;
  }
  return 0;
}

struct WasmLongjmpArgs {
  void* env;
  int val;
};
static struct WasmLongjmpArgs gLongjmpArgs;

/* Defined in sjlj_throw.s: `throw __c_longjmp` with the given payload. */
void __wasm_sjlj_throw(void* args) __attribute__((noreturn));

void __wasm_longjmp(void* env, int val) {
  gLongjmpArgs.env = env;
  gLongjmpArgs.val = val;
  __wasm_sjlj_throw(&gLongjmpArgs);
}
