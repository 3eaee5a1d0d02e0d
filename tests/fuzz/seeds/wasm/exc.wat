(module (tag $e (param i32)) (func (export "t") try i32.const 1 throw $e catch $e drop end))
