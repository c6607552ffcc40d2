/* A real longjmp out of a deep call returns to its setjmp, inside the wasm build.
 * Run by tests/integration/sjlj.test.mjs under Node; exit status 0 on success. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf gTop;
static volatile int gDeepest;

static int descend(int n) {
  gDeepest = n;
  if (n == 0) longjmp(gTop, 42);
  return descend(n - 1) + 1;
}

int main(void) {
  volatile int passes = 0;
  for (int round = 0; round < 3; round++) {
    int r = setjmp(gTop);
    if (r == 0) {
      descend(1000);
      printf("FAIL: longjmp did not leave the recursion\n");
      return 1;
    }
    if (r != 42 || gDeepest != 0) {
      printf("FAIL: setjmp returned %d\n", r);
      return 1;
    }
    passes++;
  }
  printf("longjmp from depth 1000 returned to setjmp %d times\n", passes);
  return passes == 3 ? 0 : 1;
}
