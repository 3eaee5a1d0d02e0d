(module (func (export "v") (result i32) v128.const i32x4 1 2 3 4 i32x4.extract_lane 0))
