# The exception tag that LLVM's wasm SjLj lowering catches, and a thrower for it. Written in
# assembly because clang 16 crashes on __builtin_wasm_throw for this tag.
  .globl __c_longjmp
  .tagtype __c_longjmp i32
__c_longjmp:

  .globl __wasm_sjlj_throw
  .type __wasm_sjlj_throw,@function
__wasm_sjlj_throw:
  .functype __wasm_sjlj_throw (i32) -> ()
  local.get 0
  throw __c_longjmp
  unreachable
  end_function
