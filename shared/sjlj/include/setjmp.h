/* setjmp/longjmp for wasm32-wasi, which wasi-libc (2022) does not provide.
 *
 * Code that calls setjmp must be compiled with `-mllvm -wasm-enable-sjlj -mexception-handling`:
 * LLVM then rewrites setjmp/longjmp calls into calls to the runtime in sjlj.c and a wasm `throw` of
 * the `__c_longjmp` tag (sjlj_throw.s). These declarations only need to exist; the pass replaces
 * the calls. */
#ifndef WASM_SJLJ_SETJMP_H
#define WASM_SJLJ_SETJMP_H
#ifdef __cplusplus
extern "C" {
#endif

/* The lowering stores one id per jmp_buf; a few words leave room for what C code expects. */
typedef unsigned long jmp_buf[8];
int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif
#endif
