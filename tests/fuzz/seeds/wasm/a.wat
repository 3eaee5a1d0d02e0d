(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fw (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $pe (param i32)))
  (import "env" "mix" (func $mix (param i64 f32 f64) (result f64)))
  (memory (export "memory") 1 10)
  (table 4 funcref)
  (global $g (mut i32) (i32.const 42))
  (type $t (func (param i32) (result i32)))
  (elem (i32.const 0) $f $g2)
  (data (i32.const 16) "hello world\n")
  (func $f (export "f") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add
    block (result i32) i32.const 3 end
    i32.mul
    local.get 0 call_indirect (type $t))
  (func $g2 (param i32) (result i32) (local i64 f32 f64)
    block $b loop $l local.get 0 i32.eqz br_if $b local.get 0 i32.const 1 i32.sub local.set 0 br $l end end
    local.get 0 if (result i32) i32.const 1 else i32.const 2 end
    i32.load offset=4 memory.grow drop global.get $g)
  (func (export "_start") i32.const 1 i32.const 16 i32.const 1 i32.const 0 call $fw drop
    i64.const 1 f32.const 1 f64.const 2 call $mix drop i32.const 0 call $pe unreachable)
  (start $s)
  (func $s nop))
