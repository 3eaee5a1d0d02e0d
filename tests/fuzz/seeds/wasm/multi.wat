(module (import "env" "m" (memory 1)) (import "env" "g" (global i32)) (import "env" "t" (table 1 funcref))
  (func (export "two") (result i32 i64) i32.const 1 i64.const 2)
  (func (export "ref") (param externref) (result externref) local.get 0)
  (func (export "bulk") i32.const 0 i32.const 0 i32.const 0 memory.copy i32.const 0 i32.const 0 i32.const 0 memory.fill))
