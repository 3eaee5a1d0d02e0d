(module (memory 1 1 shared) (func (export "a") (result i32) i32.const 0 i32.atomic.load))
