(module
 (type $0 (func (param i32 i32 i32)))
 (type $1 (func (param i32 i32 i32 i32 i32 i32 i32 i32)))
 (type $2 (func (param i32 i32 i32 i32 i32 i32)))
 (type $3 (func (param i32 i32 i32 i32 i32)))
 (type $4 (func (param i32 i32 i32 i32 i32 i32 i32)))
 (type $5 (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
 (type $6 (func (param i32 i32)))
 (type $7 (func (param i32) (result i32)))
 (type $8 (func (param i32 i32 i32) (result i32)))
 (import "env" "memory" (memory $0 0 65536 shared))
 (export "copy" (func $assembly/memory/copy))
 (export "zero" (func $assembly/memory/zero))
 (export "packPanels" (func $assembly/gemm/packPanels))
 (export "packColumns" (func $assembly/gemm/packColumns))
 (export "convForward" (func $assembly/conv/convForward))
 (export "convBackpropInput" (func $assembly/conv/convBackpropInput))
 (export "convBackpropFilter" (func $assembly/conv/convBackpropFilter))
 (export "sumFilterPartials" (func $assembly/conv/sumFilterPartials))
 (export "gemmScratchBytes" (func $assembly/conv/gemmScratchBytes))
 (export "filterScratchBytes" (func $assembly/conv/filterScratchBytes))
 (export "maxPool" (func $assembly/pool/maxPool))
 (export "avgPool" (func $assembly/pool/avgPool))
 (export "maxPoolGrad" (func $assembly/pool/maxPoolGrad))
 (export "maxPoolGradGrad" (func $assembly/pool/maxPoolGradGrad))
 (export "sumLeading" (func $assembly/reduce/sumLeading))
 (func $assembly/pool/throughArgmax (param $0 i32) (param $1 i32) (param $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 f32)
  (local $9 f32)
  (local $10 i32)
  (local $11 v128)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 v128)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (local $20 i32)
  (local $21 v128)
  (local $22 i32)
  (local $23 i32)
  (local $24 i32)
  (local $25 i32)
  (local $26 v128)
  (local $27 i32)
  (local $28 i32)
  local.get $0
  local.tee $6
  i32.load offset=12
  local.tee $14
  i32.const -4
  i32.and
  local.set $27
  local.get $6
  i32.load offset=4
  local.get $6
  i32.load offset=8
  i32.mul
  local.get $14
  i32.mul
  local.set $4
  local.get $6
  i32.load offset=60
  local.set $17
  local.get $6
  i32.load offset=64
  local.set $13
  local.get $6
  i32.load offset=68
  local.set $12
  local.get $2
  if
   local.get $12
   local.get $1
   local.get $4
   i32.mul
   i32.const 2
   i32.shl
   i32.add
   local.set $5
   loop $for-loop|0
    local.get $3
    i32.const 16
    i32.add
    local.tee $0
    local.get $4
    i32.le_s
    if
     local.get $5
     local.get $3
     i32.const 2
     i32.shl
     i32.add
     local.tee $3
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     v128.store
     local.get $3
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     v128.store offset=16
     local.get $3
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     v128.store offset=32
     local.get $3
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     v128.store offset=48
     local.get $0
     local.set $3
     br $for-loop|0
    end
   end
   loop $for-loop|1
    local.get $3
    i32.const 4
    i32.add
    local.tee $0
    local.get $4
    i32.le_s
    if
     local.get $5
     local.get $3
     i32.const 2
     i32.shl
     i32.add
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     v128.store
     local.get $0
     local.set $3
     br $for-loop|1
    end
   end
   loop $for-loop|2
    local.get $3
    local.get $4
    i32.lt_s
    if
     local.get $5
     local.get $3
     i32.const 2
     i32.shl
     i32.add
     f32.const 0
     f32.store
     local.get $3
     i32.const 1
     i32.add
     local.set $3
     br $for-loop|2
    end
   end
  end
  loop $for-loop|3
   local.get $18
   local.get $6
   i32.load offset=24
   i32.lt_s
   if
    i32.const 0
    local.get $18
    local.get $6
    i32.load offset=36
    i32.mul
    local.get $6
    i32.load offset=52
    i32.sub
    local.tee $19
    i32.sub
    local.tee $0
    i32.const 0
    local.get $0
    i32.const 0
    i32.ge_s
    select
    local.set $4
    local.get $6
    i32.load offset=16
    local.tee $0
    local.get $6
    i32.load offset=4
    local.get $19
    i32.sub
    local.tee $3
    local.get $0
    local.get $3
    i32.lt_s
    select
    local.set $22
    i32.const 0
    local.set $15
    loop $for-loop|4
     local.get $15
     local.get $6
     i32.load offset=28
     local.tee $0
     i32.lt_s
     if
      i32.const 0
      local.get $15
      local.get $6
      i32.load offset=40
      i32.mul
      local.get $6
      i32.load offset=56
      i32.sub
      local.tee $20
      i32.sub
      local.tee $3
      i32.const 0
      local.get $3
      i32.const 0
      i32.ge_s
      select
      local.set $5
      local.get $6
      i32.load offset=20
      local.tee $3
      local.get $6
      i32.load offset=8
      local.tee $7
      local.get $20
      i32.sub
      local.tee $10
      local.get $3
      local.get $10
      i32.lt_s
      select
      local.set $23
      local.get $1
      local.get $6
      i32.load offset=24
      i32.mul
      local.get $18
      i32.add
      local.get $0
      i32.mul
      local.get $15
      i32.add
      local.get $14
      i32.mul
      local.set $24
      local.get $1
      local.get $6
      i32.load offset=4
      i32.mul
      local.get $19
      i32.add
      local.get $4
      i32.add
      local.get $7
      i32.mul
      local.get $20
      i32.add
      local.get $5
      i32.add
      local.get $14
      i32.mul
      local.set $25
      i32.const 0
      local.set $10
      loop $for-loop|5
       local.get $10
       local.get $27
       i32.lt_s
       if
        local.get $17
        local.get $10
        local.get $25
        i32.add
        local.tee $0
        i32.const 2
        i32.shl
        i32.add
        v128.load
        local.set $16
        local.get $0
        i32x4.splat
        v128.const i32x4 0x00000000 0x00000001 0x00000002 0x00000003
        i32x4.add
        local.set $11
        local.get $4
        local.set $0
        loop $for-loop|6
         local.get $0
         local.get $22
         i32.lt_s
         if
          local.get $5
          local.set $3
          loop $for-loop|7
           local.get $3
           local.get $23
           i32.lt_s
           if
            local.get $17
            local.get $6
            i32.load offset=8
            local.get $1
            local.get $6
            i32.load offset=4
            i32.mul
            local.get $19
            i32.add
            local.get $0
            i32.add
            i32.mul
            local.get $20
            i32.add
            local.get $3
            i32.add
            local.get $14
            i32.mul
            local.get $10
            i32.add
            local.tee $7
            i32.const 2
            i32.shl
            i32.add
            v128.load
            local.tee $21
            local.get $16
            f32x4.gt
            local.get $21
            local.get $21
            f32x4.ne
            local.get $16
            local.get $16
            f32x4.eq
            v128.and
            v128.or
            local.set $26
            local.get $21
            local.get $16
            local.get $26
            v128.bitselect
            local.set $16
            local.get $7
            i32x4.splat
            v128.const i32x4 0x00000000 0x00000001 0x00000002 0x00000003
            i32x4.add
            local.get $11
            local.get $26
            v128.bitselect
            local.set $11
            local.get $3
            i32.const 1
            i32.add
            local.set $3
            br $for-loop|7
           end
          end
          local.get $0
          i32.const 1
          i32.add
          local.set $0
          br $for-loop|6
         end
        end
        local.get $10
        local.get $24
        i32.add
        i32.const 2
        i32.shl
        local.set $0
        local.get $2
        if
         local.get $12
         local.get $11
         i32x4.extract_lane 0
         i32.const 2
         i32.shl
         i32.add
         local.tee $3
         local.get $3
         f32.load
         local.get $0
         local.get $13
         i32.add
         local.tee $0
         f32.load
         f32.add
         f32.store
         local.get $12
         local.get $11
         i32x4.extract_lane 1
         i32.const 2
         i32.shl
         i32.add
         local.tee $3
         local.get $3
         f32.load
         local.get $0
         f32.load offset=4
         f32.add
         f32.store
         local.get $12
         local.get $11
         i32x4.extract_lane 2
         i32.const 2
         i32.shl
         i32.add
         local.tee $3
         local.get $3
         f32.load
         local.get $0
         f32.load offset=8
         f32.add
         f32.store
         local.get $12
         local.get $11
         i32x4.extract_lane 3
         i32.const 2
         i32.shl
         i32.add
         local.tee $3
         local.get $3
         f32.load
         local.get $0
         f32.load offset=12
         f32.add
         f32.store
        else
         local.get $0
         local.get $12
         i32.add
         local.tee $0
         local.get $13
         local.get $11
         i32x4.extract_lane 0
         i32.const 2
         i32.shl
         i32.add
         f32.load
         f32.store
         local.get $0
         local.get $13
         local.get $11
         i32x4.extract_lane 1
         i32.const 2
         i32.shl
         i32.add
         f32.load
         f32.store offset=4
         local.get $0
         local.get $13
         local.get $11
         i32x4.extract_lane 2
         i32.const 2
         i32.shl
         i32.add
         f32.load
         f32.store offset=8
         local.get $0
         local.get $13
         local.get $11
         i32x4.extract_lane 3
         i32.const 2
         i32.shl
         i32.add
         f32.load
         f32.store offset=12
        end
        local.get $10
        i32.const 4
        i32.add
        local.set $10
        br $for-loop|5
       end
      end
      loop $for-loop|8
       local.get $10
       local.get $14
       i32.lt_s
       if
        local.get $17
        local.get $10
        local.get $25
        i32.add
        local.tee $0
        i32.const 2
        i32.shl
        i32.add
        f32.load
        local.set $8
        local.get $4
        local.set $3
        loop $for-loop|9
         local.get $3
         local.get $22
         i32.lt_s
         if
          local.get $5
          local.set $7
          loop $for-loop|10
           local.get $7
           local.get $23
           i32.lt_s
           if
            local.get $8
            local.get $8
            f32.eq
            local.get $17
            local.get $6
            i32.load offset=8
            local.get $1
            local.get $6
            i32.load offset=4
            i32.mul
            local.get $19
            i32.add
            local.get $3
            i32.add
            i32.mul
            local.get $20
            i32.add
            local.get $7
            i32.add
            local.get $14
            i32.mul
            local.get $10
            i32.add
            local.tee $28
            i32.const 2
            i32.shl
            i32.add
            f32.load
            local.tee $9
            local.get $9
            f32.ne
            i32.and
            local.get $8
            local.get $9
            f32.lt
            i32.or
            if
             local.get $9
             local.set $8
             local.get $28
             local.set $0
            end
            local.get $7
            i32.const 1
            i32.add
            local.set $7
            br $for-loop|10
           end
          end
          local.get $3
          i32.const 1
          i32.add
          local.set $3
          br $for-loop|9
         end
        end
        local.get $10
        local.get $24
        i32.add
        i32.const 2
        i32.shl
        local.set $3
        local.get $2
        if
         local.get $12
         local.get $0
         i32.const 2
         i32.shl
         i32.add
         local.tee $0
         local.get $0
         f32.load
         local.get $3
         local.get $13
         i32.add
         f32.load
         f32.add
         f32.store
        else
         local.get $3
         local.get $12
         i32.add
         local.get $13
         local.get $0
         i32.const 2
         i32.shl
         i32.add
         f32.load
         f32.store
        end
        local.get $10
        i32.const 1
        i32.add
        local.set $10
        br $for-loop|8
       end
      end
      local.get $15
      i32.const 1
      i32.add
      local.set $15
      br $for-loop|4
     end
    end
    local.get $18
    i32.const 1
    i32.add
    local.set $18
    br $for-loop|3
   end
  end
 )
 (func $assembly/pool/pool (param $0 i32) (param $1 i32) (param $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 v128)
  (local $7 f32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (local $20 i32)
  (local $21 i32)
  (local $22 i32)
  (local $23 i32)
  (local $24 i32)
  (local $25 v128)
  local.get $0
  i32.load offset=24
  local.get $0
  i32.load offset=28
  i32.mul
  local.tee $16
  local.get $0
  i32.load
  i32.mul
  local.tee $3
  local.get $1
  local.get $0
  i32.load offset=72
  local.tee $1
  i32.mul
  local.tee $18
  local.get $1
  i32.add
  local.tee $1
  local.get $1
  local.get $3
  i32.gt_s
  select
  local.set $10
  local.get $0
  local.tee $4
  i32.load offset=12
  local.tee $20
  i32.const 2
  i32.shl
  local.set $15
  local.get $20
  i32.const -4
  i32.and
  local.set $17
  loop $for-loop|0
   local.get $10
   local.get $18
   i32.gt_s
   if
    local.get $4
    i32.load offset=16
    local.tee $0
    local.get $4
    i32.load offset=4
    local.get $18
    local.get $18
    local.get $16
    i32.div_s
    local.tee $9
    local.get $16
    i32.mul
    i32.sub
    local.tee $1
    local.get $4
    i32.load offset=28
    local.tee $3
    i32.div_s
    local.tee $5
    local.get $4
    i32.load offset=36
    i32.mul
    local.get $4
    i32.load offset=52
    i32.sub
    local.tee $14
    i32.sub
    local.tee $8
    local.get $0
    local.get $8
    i32.lt_s
    select
    local.set $13
    i32.const 0
    local.get $4
    i32.load offset=40
    local.get $1
    local.get $3
    local.get $5
    i32.mul
    i32.sub
    i32.mul
    local.get $4
    i32.load offset=56
    i32.sub
    local.tee $12
    i32.sub
    local.tee $0
    i32.const 0
    local.get $0
    i32.const 0
    i32.ge_s
    select
    local.set $5
    local.get $4
    i32.load offset=20
    local.tee $0
    local.get $4
    i32.load offset=8
    local.get $12
    i32.sub
    local.tee $1
    local.get $0
    local.get $1
    i32.lt_s
    select
    local.set $11
    local.get $4
    i32.load offset=68
    local.get $15
    local.get $18
    i32.mul
    i32.add
    local.set $21
    i32.const 1
    local.set $0
    i32.const 0
    local.get $14
    i32.sub
    local.tee $1
    i32.const 0
    local.get $1
    i32.const 0
    i32.ge_s
    select
    local.tee $8
    local.set $19
    loop $for-loop|1
     local.get $13
     local.get $19
     i32.gt_s
     if
      local.get $5
      local.set $3
      loop $for-loop|2
       local.get $3
       local.get $11
       i32.lt_s
       if
        local.get $4
        i32.load offset=60
        local.get $4
        i32.load offset=8
        local.get $9
        local.get $4
        i32.load offset=4
        i32.mul
        local.get $14
        i32.add
        local.get $19
        i32.add
        i32.mul
        local.get $12
        i32.add
        local.get $3
        i32.add
        local.get $15
        i32.mul
        i32.add
        local.set $22
        block $for-continue|2
         local.get $0
         if
          i32.const 0
          local.set $0
          loop $for-loop|3
           local.get $0
           i32.const 16
           i32.add
           local.tee $1
           local.get $20
           i32.le_s
           if
            local.get $0
            i32.const 2
            i32.shl
            local.tee $0
            local.get $21
            i32.add
            local.tee $23
            local.get $0
            local.get $22
            i32.add
            local.tee $0
            v128.load
            v128.store
            local.get $23
            local.get $0
            v128.load offset=16
            v128.store offset=16
            local.get $23
            local.get $0
            v128.load offset=32
            v128.store offset=32
            local.get $23
            local.get $0
            v128.load offset=48
            v128.store offset=48
            local.get $1
            local.set $0
            br $for-loop|3
           end
          end
          loop $for-loop|4
           local.get $0
           i32.const 4
           i32.add
           local.tee $1
           local.get $20
           i32.le_s
           if
            local.get $0
            i32.const 2
            i32.shl
            local.tee $0
            local.get $21
            i32.add
            local.get $0
            local.get $22
            i32.add
            v128.load
            v128.store
            local.get $1
            local.set $0
            br $for-loop|4
           end
          end
          loop $for-loop|5
           local.get $0
           local.get $20
           i32.lt_s
           if
            local.get $0
            i32.const 2
            i32.shl
            local.tee $1
            local.get $21
            i32.add
            local.get $1
            local.get $22
            i32.add
            f32.load
            f32.store
            local.get $0
            i32.const 1
            i32.add
            local.set $0
            br $for-loop|5
           end
          end
          i32.const 0
          local.set $0
          br $for-continue|2
         end
         i32.const 0
         local.set $1
         local.get $2
         if
          loop $for-loop|6
           local.get $1
           local.get $17
           i32.lt_s
           if
            local.get $1
            i32.const 2
            i32.shl
            local.tee $23
            local.get $21
            i32.add
            local.tee $24
            v128.load
            local.set $6
            local.get $24
            local.get $22
            local.get $23
            i32.add
            v128.load
            local.tee $25
            local.get $6
            local.get $25
            local.get $6
            f32x4.gt
            local.get $25
            local.get $25
            f32x4.ne
            v128.or
            v128.bitselect
            v128.store
            local.get $1
            i32.const 4
            i32.add
            local.set $1
            br $for-loop|6
           end
          end
          loop $for-loop|7
           local.get $1
           local.get $20
           i32.lt_s
           if
            local.get $1
            i32.const 2
            i32.shl
            local.tee $23
            local.get $22
            i32.add
            f32.load
            local.tee $7
            local.get $7
            f32.ne
            local.get $7
            local.get $21
            local.get $23
            i32.add
            local.tee $23
            f32.load
            f32.gt
            i32.or
            if
             local.get $23
             local.get $7
             f32.store
            end
            local.get $1
            i32.const 1
            i32.add
            local.set $1
            br $for-loop|7
           end
          end
         else
          loop $for-loop|8
           local.get $1
           local.get $17
           i32.lt_s
           if
            local.get $1
            i32.const 2
            i32.shl
            local.tee $23
            local.get $21
            i32.add
            local.tee $24
            local.get $24
            v128.load
            local.get $22
            local.get $23
            i32.add
            v128.load
            f32x4.add
            v128.store
            local.get $1
            i32.const 4
            i32.add
            local.set $1
            br $for-loop|8
           end
          end
          loop $for-loop|9
           local.get $1
           local.get $20
           i32.lt_s
           if
            local.get $1
            i32.const 2
            i32.shl
            local.tee $23
            local.get $21
            i32.add
            local.tee $24
            local.get $24
            f32.load
            local.get $22
            local.get $23
            i32.add
            f32.load
            f32.add
            f32.store
            local.get $1
            i32.const 1
            i32.add
            local.set $1
            br $for-loop|9
           end
          end
         end
        end
        local.get $3
        i32.const 1
        i32.add
        local.set $3
        br $for-loop|2
       end
      end
      local.get $19
      i32.const 1
      i32.add
      local.set $19
      br $for-loop|1
     end
    end
    local.get $2
    i32.eqz
    if
     local.get $13
     local.get $8
     i32.sub
     local.get $11
     local.get $5
     i32.sub
     i32.mul
     f32.convert_i32_s
     local.tee $7
     f32x4.splat
     local.set $6
     i32.const 0
     local.set $0
     loop $for-loop|10
      local.get $0
      local.get $17
      i32.lt_s
      if
       local.get $21
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       local.tee $1
       local.get $1
       v128.load
       local.get $6
       f32x4.div
       v128.store
       local.get $0
       i32.const 4
       i32.add
       local.set $0
       br $for-loop|10
      end
     end
     loop $for-loop|11
      local.get $0
      local.get $20
      i32.lt_s
      if
       local.get $21
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       local.tee $1
       local.get $1
       f32.load
       local.get $7
       f32.div
       f32.store
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $for-loop|11
      end
     end
    end
    local.get $18
    i32.const 1
    i32.add
    local.set $18
    br $for-loop|0
   end
  end
 )
 (func $assembly/gemm/kernelRows (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32)
  (local $6 i32)
  (local $7 v128)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 v128)
  (local $13 v128)
  (local $14 v128)
  (local $15 v128)
  (local $16 v128)
  (local $17 v128)
  (local $18 v128)
  (local $19 v128)
  (local $20 v128)
  (local $21 v128)
  (local $22 v128)
  (local $23 v128)
  (local $24 v128)
  (local $25 v128)
  local.get $2
  local.tee $6
  local.get $1
  i32.add
  local.tee $2
  local.get $6
  i32.add
  local.set $8
  local.get $6
  local.get $8
  i32.add
  local.tee $9
  local.get $6
  i32.add
  local.tee $10
  local.get $6
  i32.add
  local.set $6
  loop $for-loop|0
   local.get $0
   local.get $11
   i32.gt_s
   if
    local.get $12
    local.get $1
    v128.load32_splat
    local.tee $24
    local.get $3
    v128.load
    local.tee $7
    f32x4.mul
    f32x4.add
    local.set $12
    local.get $13
    local.get $24
    local.get $3
    v128.load offset=16
    local.tee $24
    f32x4.mul
    f32x4.add
    local.set $13
    local.get $14
    local.get $2
    v128.load32_splat
    local.tee $25
    local.get $7
    f32x4.mul
    f32x4.add
    local.set $14
    local.get $15
    local.get $25
    local.get $24
    f32x4.mul
    f32x4.add
    local.set $15
    local.get $16
    local.get $8
    v128.load32_splat
    local.tee $25
    local.get $7
    f32x4.mul
    f32x4.add
    local.set $16
    local.get $17
    local.get $25
    local.get $24
    f32x4.mul
    f32x4.add
    local.set $17
    local.get $18
    local.get $9
    v128.load32_splat
    local.tee $25
    local.get $7
    f32x4.mul
    f32x4.add
    local.set $18
    local.get $19
    local.get $25
    local.get $24
    f32x4.mul
    f32x4.add
    local.set $19
    local.get $20
    local.get $10
    v128.load32_splat
    local.tee $25
    local.get $7
    f32x4.mul
    f32x4.add
    local.set $20
    local.get $21
    local.get $25
    local.get $24
    f32x4.mul
    f32x4.add
    local.set $21
    local.get $22
    local.get $6
    v128.load32_splat
    local.tee $25
    local.get $7
    f32x4.mul
    f32x4.add
    local.set $22
    local.get $23
    local.get $25
    local.get $24
    f32x4.mul
    f32x4.add
    local.set $23
    local.get $1
    i32.const 4
    i32.add
    local.set $1
    local.get $2
    i32.const 4
    i32.add
    local.set $2
    local.get $8
    i32.const 4
    i32.add
    local.set $8
    local.get $9
    i32.const 4
    i32.add
    local.set $9
    local.get $10
    i32.const 4
    i32.add
    local.set $10
    local.get $6
    i32.const 4
    i32.add
    local.set $6
    local.get $3
    i32.const 32
    i32.add
    local.set $3
    local.get $11
    i32.const 1
    i32.add
    local.set $11
    br $for-loop|0
   end
  end
  local.get $4
  local.get $12
  v128.store
  local.get $4
  local.get $13
  v128.store offset=16
  local.get $4
  local.get $5
  i32.add
  local.tee $0
  local.get $14
  v128.store
  local.get $0
  local.get $15
  v128.store offset=16
  local.get $0
  local.get $5
  i32.add
  local.tee $0
  local.get $16
  v128.store
  local.get $0
  local.get $17
  v128.store offset=16
  local.get $0
  local.get $5
  i32.add
  local.tee $0
  local.get $18
  v128.store
  local.get $0
  local.get $19
  v128.store offset=16
  local.get $0
  local.get $5
  i32.add
  local.tee $0
  local.get $20
  v128.store
  local.get $0
  local.get $21
  v128.store offset=16
  local.get $0
  local.get $5
  i32.add
  local.tee $0
  local.get $22
  v128.store
  local.get $0
  local.get $23
  v128.store offset=16
 )
 (func $assembly/conv/multiplyRows (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32) (param $7 i32) (param $8 i32) (param $9 i32) (param $10 i32) (param $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  local.get $1
  i32.const 8
  i32.ge_s
  if
   loop $for-loop|0
    local.get $1
    local.get $13
    i32.gt_s
    if
     local.get $4
     local.get $0
     local.get $13
     i32.mul
     i32.const 2
     i32.shl
     i32.add
     local.set $5
     i32.const 8
     local.get $1
     local.get $13
     i32.sub
     local.tee $12
     local.get $12
     i32.const 8
     i32.gt_s
     select
     local.tee $18
     i32.const 8
     i32.eq
     i32.const 0
     local.get $6
     i32.const 6
     i32.eq
     i32.const 0
     local.get $10
     select
     select
     if
      local.get $0
      local.get $2
      local.get $3
      local.get $5
      local.get $7
      local.get $13
      i32.const 2
      i32.shl
      i32.add
      local.get $8
      call $assembly/gemm/kernelRows
     else
      local.get $0
      local.get $2
      local.get $3
      local.get $5
      local.get $11
      i32.const 32
      call $assembly/gemm/kernelRows
      local.get $7
      local.get $13
      i32.const 2
      i32.shl
      i32.add
      local.set $17
      i32.const 0
      local.set $14
      loop $for-loop|1
       local.get $6
       local.get $14
       i32.gt_s
       if
        local.get $10
        if (result i32)
         local.get $17
         local.get $8
         local.get $14
         i32.mul
         i32.add
        else
         local.get $9
         local.get $14
         i32.const 2
         i32.shl
         i32.add
         i32.load
         local.get $13
         i32.const 2
         i32.shl
         i32.add
        end
        local.set $15
        local.get $11
        local.get $14
        i32.const 5
        i32.shl
        i32.add
        local.set $16
        i32.const 0
        local.set $5
        loop $for-loop|2
         local.get $5
         i32.const 16
         i32.add
         local.tee $12
         local.get $18
         i32.le_s
         if
          local.get $5
          i32.const 2
          i32.shl
          local.tee $19
          local.get $15
          i32.add
          local.tee $5
          local.get $16
          local.get $19
          i32.add
          local.tee $19
          v128.load
          v128.store
          local.get $5
          local.get $19
          v128.load offset=16
          v128.store offset=16
          local.get $5
          local.get $19
          v128.load offset=32
          v128.store offset=32
          local.get $5
          local.get $19
          v128.load offset=48
          v128.store offset=48
          local.get $12
          local.set $5
          br $for-loop|2
         end
        end
        loop $for-loop|3
         local.get $5
         i32.const 4
         i32.add
         local.tee $12
         local.get $18
         i32.le_s
         if
          local.get $5
          i32.const 2
          i32.shl
          local.tee $5
          local.get $15
          i32.add
          local.get $5
          local.get $16
          i32.add
          v128.load
          v128.store
          local.get $12
          local.set $5
          br $for-loop|3
         end
        end
        loop $for-loop|4
         local.get $5
         local.get $18
         i32.lt_s
         if
          local.get $5
          i32.const 2
          i32.shl
          local.tee $12
          local.get $15
          i32.add
          local.get $12
          local.get $16
          i32.add
          f32.load
          f32.store
          local.get $5
          i32.const 1
          i32.add
          local.set $5
          br $for-loop|4
         end
        end
        local.get $14
        i32.const 1
        i32.add
        local.set $14
        br $for-loop|1
       end
      end
     end
     local.get $13
     i32.const 8
     i32.add
     local.set $13
     br $for-loop|0
    end
   end
  else
   loop $for-loop|5
    local.get $1
    local.get $13
    i32.gt_s
    if
     local.get $0
     local.get $2
     local.get $3
     local.get $5
     local.get $0
     local.get $13
     i32.mul
     i32.const 2
     i32.shl
     i32.add
     local.get $11
     local.get $13
     i32.const 2
     i32.shl
     i32.add
     call $assembly/gemm/dotRows
     local.get $13
     i32.const 1
     i32.add
     local.set $13
     br $for-loop|5
    end
   end
   local.get $1
   local.set $2
   loop $for-loop|6
    local.get $6
    local.get $12
    i32.gt_s
    if
     local.get $10
     if (result i32)
      local.get $7
      local.get $8
      local.get $12
      i32.mul
      i32.add
     else
      local.get $9
      local.get $12
      i32.const 2
      i32.shl
      i32.add
      i32.load
     end
     local.set $3
     local.get $11
     local.get $12
     i32.const 5
     i32.shl
     i32.add
     local.set $4
     i32.const 0
     local.set $0
     loop $for-loop|7
      local.get $0
      i32.const 16
      i32.add
      local.tee $1
      local.get $2
      i32.le_s
      if
       local.get $0
       i32.const 2
       i32.shl
       local.tee $0
       local.get $3
       i32.add
       local.tee $5
       local.get $0
       local.get $4
       i32.add
       local.tee $0
       v128.load
       v128.store
       local.get $5
       local.get $0
       v128.load offset=16
       v128.store offset=16
       local.get $5
       local.get $0
       v128.load offset=32
       v128.store offset=32
       local.get $5
       local.get $0
       v128.load offset=48
       v128.store offset=48
       local.get $1
       local.set $0
       br $for-loop|7
      end
     end
     loop $for-loop|8
      local.get $0
      i32.const 4
      i32.add
      local.tee $1
      local.get $2
      i32.le_s
      if
       local.get $0
       i32.const 2
       i32.shl
       local.tee $0
       local.get $3
       i32.add
       local.get $0
       local.get $4
       i32.add
       v128.load
       v128.store
       local.get $1
       local.set $0
       br $for-loop|8
      end
     end
     loop $for-loop|9
      local.get $0
      local.get $2
      i32.lt_s
      if
       local.get $0
       i32.const 2
       i32.shl
       local.tee $1
       local.get $3
       i32.add
       local.get $1
       local.get $4
       i32.add
       f32.load
       f32.store
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $for-loop|9
      end
     end
     local.get $12
     i32.const 1
     i32.add
     local.set $12
     br $for-loop|6
    end
   end
  end
 )
 (func $assembly/conv/gatherPatch (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (local $20 i32)
  local.get $0
  i32.load offset=48
  local.set $19
  local.get $0
  i32.load offset=8
  local.set $13
  local.get $3
  local.get $0
  i32.load offset=36
  i32.mul
  local.get $0
  i32.load offset=52
  i32.sub
  local.set $12
  local.get $0
  i32.load offset=12
  local.tee $20
  local.get $0
  i32.load offset=20
  local.tee $18
  i32.mul
  local.set $16
  local.get $4
  local.get $0
  i32.load offset=40
  i32.mul
  local.get $0
  i32.load offset=56
  i32.sub
  local.tee $15
  i32.const 0
  i32.lt_s
  if (result i32)
   local.get $18
   local.get $19
   local.get $15
   i32.sub
   i32.const 1
   i32.sub
   local.get $19
   i32.div_s
   local.tee $3
   local.get $3
   local.get $18
   i32.gt_s
   select
  else
   i32.const 0
  end
  local.tee $6
  local.get $18
  local.get $13
  local.get $15
  i32.sub
  local.get $19
  i32.add
  i32.const 1
  i32.sub
  local.get $19
  i32.div_s
  local.tee $3
  local.get $3
  local.get $18
  i32.gt_s
  select
  local.tee $3
  local.get $3
  local.get $6
  i32.lt_s
  select
  local.set $17
  loop $for-loop|0
   local.get $14
   local.get $0
   i32.load offset=16
   i32.lt_s
   if
    block $for-continue|0
     local.get $12
     local.get $14
     local.get $0
     i32.load offset=44
     i32.mul
     i32.add
     local.tee $8
     i32.const 0
     i32.lt_s
     if (result i32)
      i32.const 1
     else
      local.get $8
      local.get $0
      i32.load offset=4
      i32.ge_s
     end
     if
      i32.const 0
      local.set $3
      loop $for-loop|1
       local.get $3
       i32.const 16
       i32.add
       local.tee $4
       local.get $16
       i32.le_s
       if
        local.get $5
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        local.tee $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=16
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=32
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=48
        local.get $4
        local.set $3
        br $for-loop|1
       end
      end
      loop $for-loop|2
       local.get $3
       i32.const 4
       i32.add
       local.tee $4
       local.get $16
       i32.le_s
       if
        local.get $5
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $4
        local.set $3
        br $for-loop|2
       end
      end
      loop $for-loop|3
       local.get $3
       local.get $16
       i32.lt_s
       if
        local.get $5
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        f32.const 0
        f32.store
        local.get $3
        i32.const 1
        i32.add
        local.set $3
        br $for-loop|3
       end
      end
      br $for-continue|0
     end
     local.get $6
     i32.const 0
     i32.gt_s
     if
      local.get $6
      local.get $20
      i32.mul
      local.set $7
      i32.const 0
      local.set $3
      loop $for-loop|4
       local.get $3
       i32.const 16
       i32.add
       local.tee $4
       local.get $7
       i32.le_s
       if
        local.get $5
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        local.tee $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=16
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=32
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=48
        local.get $4
        local.set $3
        br $for-loop|4
       end
      end
      loop $for-loop|5
       local.get $3
       i32.const 4
       i32.add
       local.tee $4
       local.get $7
       i32.le_s
       if
        local.get $5
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $4
        local.set $3
        br $for-loop|5
       end
      end
      loop $for-loop|6
       local.get $3
       local.get $7
       i32.lt_s
       if
        local.get $5
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        f32.const 0
        f32.store
        local.get $3
        i32.const 1
        i32.add
        local.set $3
        br $for-loop|6
       end
      end
     end
     local.get $2
     local.get $0
     i32.load offset=4
     i32.mul
     local.get $8
     i32.add
     local.get $13
     i32.mul
     local.get $15
     i32.add
     local.get $20
     i32.mul
     local.set $11
     local.get $19
     i32.const 1
     i32.eq
     if
      local.get $5
      local.get $6
      local.get $20
      i32.mul
      local.tee $3
      i32.const 2
      i32.shl
      i32.add
      local.set $10
      local.get $1
      local.get $3
      local.get $11
      i32.add
      i32.const 2
      i32.shl
      i32.add
      local.set $9
      local.get $17
      local.get $6
      i32.sub
      local.get $20
      i32.mul
      local.set $8
      i32.const 0
      local.set $3
      loop $for-loop|7
       local.get $3
       i32.const 16
       i32.add
       local.tee $4
       local.get $8
       i32.le_s
       if
        local.get $3
        i32.const 2
        i32.shl
        local.tee $3
        local.get $10
        i32.add
        local.tee $7
        local.get $3
        local.get $9
        i32.add
        local.tee $3
        v128.load
        v128.store
        local.get $7
        local.get $3
        v128.load offset=16
        v128.store offset=16
        local.get $7
        local.get $3
        v128.load offset=32
        v128.store offset=32
        local.get $7
        local.get $3
        v128.load offset=48
        v128.store offset=48
        local.get $4
        local.set $3
        br $for-loop|7
       end
      end
      loop $for-loop|8
       local.get $3
       i32.const 4
       i32.add
       local.tee $4
       local.get $8
       i32.le_s
       if
        local.get $3
        i32.const 2
        i32.shl
        local.tee $3
        local.get $10
        i32.add
        local.get $3
        local.get $9
        i32.add
        v128.load
        v128.store
        local.get $4
        local.set $3
        br $for-loop|8
       end
      end
      loop $for-loop|9
       local.get $3
       local.get $8
       i32.lt_s
       if
        local.get $3
        i32.const 2
        i32.shl
        local.tee $4
        local.get $10
        i32.add
        local.get $4
        local.get $9
        i32.add
        f32.load
        f32.store
        local.get $3
        i32.const 1
        i32.add
        local.set $3
        br $for-loop|9
       end
      end
     else
      local.get $6
      local.set $7
      loop $for-loop|10
       local.get $7
       local.get $17
       i32.lt_s
       if
        local.get $5
        local.get $7
        local.get $20
        i32.mul
        i32.const 2
        i32.shl
        i32.add
        local.set $9
        local.get $1
        local.get $11
        local.get $7
        local.get $19
        i32.mul
        local.get $20
        i32.mul
        i32.add
        i32.const 2
        i32.shl
        i32.add
        local.set $8
        i32.const 0
        local.set $3
        loop $for-loop|11
         local.get $3
         i32.const 16
         i32.add
         local.tee $4
         local.get $20
         i32.le_s
         if
          local.get $3
          i32.const 2
          i32.shl
          local.tee $3
          local.get $9
          i32.add
          local.tee $10
          local.get $3
          local.get $8
          i32.add
          local.tee $3
          v128.load
          v128.store
          local.get $10
          local.get $3
          v128.load offset=16
          v128.store offset=16
          local.get $10
          local.get $3
          v128.load offset=32
          v128.store offset=32
          local.get $10
          local.get $3
          v128.load offset=48
          v128.store offset=48
          local.get $4
          local.set $3
          br $for-loop|11
         end
        end
        loop $for-loop|12
         local.get $3
         i32.const 4
         i32.add
         local.tee $4
         local.get $20
         i32.le_s
         if
          local.get $3
          i32.const 2
          i32.shl
          local.tee $3
          local.get $9
          i32.add
          local.get $3
          local.get $8
          i32.add
          v128.load
          v128.store
          local.get $4
          local.set $3
          br $for-loop|12
         end
        end
        loop $for-loop|13
         local.get $3
         local.get $20
         i32.lt_s
         if
          local.get $3
          i32.const 2
          i32.shl
          local.tee $4
          local.get $9
          i32.add
          local.get $4
          local.get $8
          i32.add
          f32.load
          f32.store
          local.get $3
          i32.const 1
          i32.add
          local.set $3
          br $for-loop|13
         end
        end
        local.get $7
        i32.const 1
        i32.add
        local.set $7
        br $for-loop|10
       end
      end
     end
     local.get $17
     local.get $18
     i32.lt_s
     if
      local.get $5
      local.get $17
      local.get $20
      i32.mul
      i32.const 2
      i32.shl
      i32.add
      local.set $8
      local.get $18
      local.get $17
      i32.sub
      local.get $20
      i32.mul
      local.set $7
      i32.const 0
      local.set $3
      loop $for-loop|14
       local.get $3
       i32.const 16
       i32.add
       local.tee $4
       local.get $7
       i32.le_s
       if
        local.get $8
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        local.tee $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=16
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=32
        local.get $3
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=48
        local.get $4
        local.set $3
        br $for-loop|14
       end
      end
      loop $for-loop|15
       local.get $3
       i32.const 4
       i32.add
       local.tee $4
       local.get $7
       i32.le_s
       if
        local.get $8
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $4
        local.set $3
        br $for-loop|15
       end
      end
      loop $for-loop|16
       local.get $3
       local.get $7
       i32.lt_s
       if
        local.get $8
        local.get $3
        i32.const 2
        i32.shl
        i32.add
        f32.const 0
        f32.store
        local.get $3
        i32.const 1
        i32.add
        local.set $3
        br $for-loop|16
       end
      end
     end
    end
    local.get $5
    local.get $16
    i32.const 2
    i32.shl
    i32.add
    local.set $5
    local.get $14
    i32.const 1
    i32.add
    local.set $14
    br $for-loop|0
   end
  end
 )
 (func $assembly/reduce/sumLeading (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 v128)
  (local $10 i32)
  (local $11 i32)
  local.get $2
  i32.const -4
  i32.and
  local.set $10
  loop $for-loop|0
   local.get $2
   local.get $5
   i32.gt_s
   if
    local.get $3
    local.get $5
    i32.const 3
    i32.shl
    i32.add
    f64.const 0
    f64.store
    local.get $5
    i32.const 1
    i32.add
    local.set $5
    br $for-loop|0
   end
  end
  loop $for-loop|1
   local.get $1
   local.get $7
   i32.gt_s
   if
    local.get $0
    local.get $2
    local.get $7
    i32.mul
    i32.const 2
    i32.shl
    i32.add
    local.set $8
    i32.const 0
    local.set $5
    loop $for-loop|2
     local.get $5
     local.get $10
     i32.lt_s
     if
      local.get $3
      local.get $5
      i32.const 3
      i32.shl
      i32.add
      local.tee $11
      local.get $11
      v128.load
      local.get $8
      local.get $5
      i32.const 2
      i32.shl
      i32.add
      v128.load
      local.tee $9
      f64x2.promote_low_f32x4
      f64x2.add
      v128.store
      local.get $11
      local.get $11
      v128.load offset=16
      local.get $9
      local.get $9
      i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
      f64x2.promote_low_f32x4
      f64x2.add
      v128.store offset=16
      local.get $5
      i32.const 4
      i32.add
      local.set $5
      br $for-loop|2
     end
    end
    loop $for-loop|3
     local.get $2
     local.get $5
     i32.gt_s
     if
      local.get $3
      local.get $5
      i32.const 3
      i32.shl
      i32.add
      local.tee $11
      local.get $11
      f64.load
      local.get $8
      local.get $5
      i32.const 2
      i32.shl
      i32.add
      f32.load
      f64.promote_f32
      f64.add
      f64.store
      local.get $5
      i32.const 1
      i32.add
      local.set $5
      br $for-loop|3
     end
    end
    local.get $7
    i32.const 1
    i32.add
    local.set $7
    br $for-loop|1
   end
  end
  loop $for-loop|4
   local.get $2
   local.get $6
   i32.gt_s
   if
    local.get $4
    local.get $6
    i32.const 2
    i32.shl
    i32.add
    local.get $3
    local.get $6
    i32.const 3
    i32.shl
    i32.add
    f64.load
    f32.demote_f64
    f32.store
    local.get $6
    i32.const 1
    i32.add
    local.set $6
    br $for-loop|4
   end
  end
 )
 (func $assembly/pool/maxPoolGradGrad (param $0 i32) (param $1 i32) (param $2 i32)
  local.get $0
  local.get $1
  i32.const 0
  call $assembly/pool/throughArgmax
 )
 (func $assembly/pool/maxPoolGrad (param $0 i32) (param $1 i32) (param $2 i32)
  local.get $0
  local.get $1
  i32.const 1
  call $assembly/pool/throughArgmax
 )
 (func $assembly/pool/maxPool (param $0 i32) (param $1 i32) (param $2 i32)
  local.get $0
  local.get $1
  i32.const 1
  call $assembly/pool/pool
 )
 (func $assembly/pool/avgPool (param $0 i32) (param $1 i32) (param $2 i32)
  local.get $0
  local.get $1
  i32.const 0
  call $assembly/pool/pool
 )
 (func $assembly/memory/zero (param $0 i32) (param $1 i32)
  (local $2 i32)
  (local $3 i32)
  local.get $0
  local.set $3
  loop $for-loop|0
   local.get $2
   i32.const 16
   i32.add
   local.tee $0
   local.get $1
   i32.le_s
   if
    local.get $3
    local.get $2
    i32.const 2
    i32.shl
    i32.add
    local.tee $2
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.store
    local.get $2
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.store offset=16
    local.get $2
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.store offset=32
    local.get $2
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.store offset=48
    local.get $0
    local.set $2
    br $for-loop|0
   end
  end
  loop $for-loop|1
   local.get $2
   i32.const 4
   i32.add
   local.tee $0
   local.get $1
   i32.le_s
   if
    local.get $3
    local.get $2
    i32.const 2
    i32.shl
    i32.add
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.store
    local.get $0
    local.set $2
    br $for-loop|1
   end
  end
  loop $for-loop|2
   local.get $1
   local.get $2
   i32.gt_s
   if
    local.get $3
    local.get $2
    i32.const 2
    i32.shl
    i32.add
    f32.const 0
    f32.store
    local.get $2
    i32.const 1
    i32.add
    local.set $2
    br $for-loop|2
   end
  end
 )
 (func $assembly/memory/copy (param $0 i32) (param $1 i32) (param $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  local.get $0
  local.set $4
  loop $for-loop|0
   local.get $3
   i32.const 16
   i32.add
   local.tee $0
   local.get $2
   i32.le_s
   if
    local.get $3
    i32.const 2
    i32.shl
    local.tee $5
    local.get $4
    i32.add
    local.tee $3
    local.get $1
    local.get $5
    i32.add
    local.tee $5
    v128.load
    v128.store
    local.get $3
    local.get $5
    v128.load offset=16
    v128.store offset=16
    local.get $3
    local.get $5
    v128.load offset=32
    v128.store offset=32
    local.get $3
    local.get $5
    v128.load offset=48
    v128.store offset=48
    local.get $0
    local.set $3
    br $for-loop|0
   end
  end
  loop $for-loop|1
   local.get $3
   i32.const 4
   i32.add
   local.tee $0
   local.get $2
   i32.le_s
   if
    local.get $3
    i32.const 2
    i32.shl
    local.tee $3
    local.get $4
    i32.add
    local.get $1
    local.get $3
    i32.add
    v128.load
    v128.store
    local.get $0
    local.set $3
    br $for-loop|1
   end
  end
  loop $for-loop|2
   local.get $2
   local.get $3
   i32.gt_s
   if
    local.get $3
    i32.const 2
    i32.shl
    local.tee $0
    local.get $4
    i32.add
    local.get $0
    local.get $1
    i32.add
    f32.load
    f32.store
    local.get $3
    i32.const 1
    i32.add
    local.set $3
    br $for-loop|2
   end
  end
 )
 (func $assembly/gemm/packPanels (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32) (param $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  local.get $2
  i32.const 7
  i32.add
  i32.const 3
  i32.shr_s
  local.set $13
  loop $for-loop|0
   local.get $11
   local.get $13
   i32.lt_s
   if
    local.get $5
    local.get $7
    local.get $11
    i32.mul
    i32.const 3
    i32.shl
    local.get $6
    i32.const 3
    i32.shl
    i32.add
    i32.const 2
    i32.shl
    i32.add
    local.set $9
    block $for-continue|0
     local.get $4
     i32.const 1
     i32.eq
     i32.const 8
     local.get $2
     local.get $11
     i32.const 3
     i32.shl
     local.tee $12
     i32.sub
     local.tee $8
     local.get $8
     i32.const 8
     i32.gt_s
     select
     local.tee $14
     i32.const 8
     i32.eq
     i32.and
     if
      i32.const 0
      local.set $8
      loop $for-loop|1
       local.get $1
       local.get $8
       i32.gt_s
       if
        local.get $9
        local.get $0
        local.get $3
        local.get $8
        i32.mul
        local.get $12
        i32.add
        i32.const 2
        i32.shl
        i32.add
        local.tee $10
        v128.load
        v128.store
        local.get $9
        local.get $10
        v128.load offset=16
        v128.store offset=16
        local.get $8
        i32.const 1
        i32.add
        local.set $8
        local.get $9
        i32.const 32
        i32.add
        local.set $9
        br $for-loop|1
       end
      end
      br $for-continue|0
     end
     i32.const 0
     local.set $10
     loop $for-loop|2
      local.get $1
      local.get $10
      i32.gt_s
      if
       i32.const 0
       local.set $8
       loop $for-loop|3
        local.get $8
        i32.const 8
        i32.lt_s
        if
         local.get $9
         local.get $8
         i32.const 2
         i32.shl
         i32.add
         local.get $8
         local.get $14
         i32.lt_s
         if (result f32)
          local.get $0
          local.get $3
          local.get $10
          i32.mul
          local.get $8
          local.get $12
          i32.add
          local.get $4
          i32.mul
          i32.add
          i32.const 2
          i32.shl
          i32.add
          f32.load
         else
          f32.const 0
         end
         f32.store
         local.get $8
         i32.const 1
         i32.add
         local.set $8
         br $for-loop|3
        end
       end
       local.get $10
       i32.const 1
       i32.add
       local.set $10
       local.get $9
       i32.const 32
       i32.add
       local.set $9
       br $for-loop|2
      end
     end
    end
    local.get $11
    i32.const 1
    i32.add
    local.set $11
    br $for-loop|0
   end
  end
 )
 (func $assembly/gemm/packColumns (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32) (param $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  loop $for-loop|0
   local.get $2
   local.get $9
   i32.gt_s
   if
    local.get $5
    local.get $7
    local.get $9
    i32.mul
    local.get $6
    i32.add
    i32.const 2
    i32.shl
    i32.add
    local.set $10
    i32.const 0
    local.set $8
    loop $for-loop|1
     local.get $1
     local.get $8
     i32.gt_s
     if
      local.get $10
      local.get $8
      i32.const 2
      i32.shl
      i32.add
      local.get $0
      local.get $3
      local.get $8
      i32.mul
      local.get $4
      local.get $9
      i32.mul
      i32.add
      i32.const 2
      i32.shl
      i32.add
      f32.load
      f32.store
      local.get $8
      i32.const 1
      i32.add
      local.set $8
      br $for-loop|1
     end
    end
    local.get $9
    i32.const 1
    i32.add
    local.set $9
    br $for-loop|0
   end
  end
 )
 (func $assembly/gemm/kernelCols (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32)
  (local $7 v128)
  (local $8 v128)
  (local $9 v128)
  (local $10 v128)
  (local $11 v128)
  (local $12 v128)
  (local $13 v128)
  (local $14 v128)
  (local $15 v128)
  (local $16 v128)
  (local $17 v128)
  (local $18 i32)
  (local $19 v128)
  (local $20 v128)
  (local $21 v128)
  (local $22 v128)
  loop $for-loop|0
   local.get $0
   local.get $18
   i32.gt_s
   if
    local.get $19
    local.get $1
    v128.load32_splat
    local.tee $20
    local.get $3
    v128.load
    local.tee $21
    f32x4.mul
    f32x4.add
    local.set $19
    local.get $7
    local.get $20
    local.get $3
    v128.load offset=16
    local.tee $20
    f32x4.mul
    f32x4.add
    local.set $7
    local.get $8
    local.get $1
    v128.load32_splat offset=4
    local.tee $22
    local.get $21
    f32x4.mul
    f32x4.add
    local.set $8
    local.get $9
    local.get $22
    local.get $20
    f32x4.mul
    f32x4.add
    local.set $9
    local.get $10
    local.get $1
    v128.load32_splat offset=8
    local.tee $22
    local.get $21
    f32x4.mul
    f32x4.add
    local.set $10
    local.get $11
    local.get $22
    local.get $20
    f32x4.mul
    f32x4.add
    local.set $11
    local.get $12
    local.get $1
    v128.load32_splat offset=12
    local.tee $22
    local.get $21
    f32x4.mul
    f32x4.add
    local.set $12
    local.get $13
    local.get $22
    local.get $20
    f32x4.mul
    f32x4.add
    local.set $13
    local.get $14
    local.get $1
    v128.load32_splat offset=16
    local.tee $22
    local.get $21
    f32x4.mul
    f32x4.add
    local.set $14
    local.get $15
    local.get $22
    local.get $20
    f32x4.mul
    f32x4.add
    local.set $15
    local.get $16
    local.get $1
    v128.load32_splat offset=20
    local.tee $22
    local.get $21
    f32x4.mul
    f32x4.add
    local.set $16
    local.get $17
    local.get $22
    local.get $20
    f32x4.mul
    f32x4.add
    local.set $17
    local.get $1
    local.get $2
    i32.add
    local.set $1
    local.get $3
    local.get $4
    i32.add
    local.set $3
    local.get $18
    i32.const 1
    i32.add
    local.set $18
    br $for-loop|0
   end
  end
  local.get $7
  local.get $5
  v128.load offset=16
  f32x4.add
  local.set $7
  local.get $8
  local.get $5
  local.get $6
  i32.add
  local.tee $0
  v128.load
  f32x4.add
  local.set $8
  local.get $9
  local.get $0
  v128.load offset=16
  f32x4.add
  local.set $9
  local.get $10
  local.get $5
  local.get $6
  i32.const 1
  i32.shl
  i32.add
  local.tee $1
  v128.load
  f32x4.add
  local.set $10
  local.get $11
  local.get $1
  v128.load offset=16
  f32x4.add
  local.set $11
  local.get $12
  local.get $5
  local.get $6
  i32.const 3
  i32.mul
  i32.add
  local.tee $1
  v128.load
  f32x4.add
  local.set $12
  local.get $13
  local.get $1
  v128.load offset=16
  f32x4.add
  local.set $13
  local.get $14
  local.get $5
  local.get $6
  i32.const 2
  i32.shl
  i32.add
  local.tee $1
  v128.load
  f32x4.add
  local.set $14
  local.get $15
  local.get $1
  v128.load offset=16
  f32x4.add
  local.set $15
  local.get $16
  local.get $5
  local.get $6
  i32.const 5
  i32.mul
  i32.add
  local.tee $1
  v128.load
  f32x4.add
  local.set $16
  local.get $17
  local.get $1
  v128.load offset=16
  f32x4.add
  local.set $17
  local.get $5
  local.get $19
  local.get $5
  v128.load
  f32x4.add
  v128.store
  local.get $5
  local.get $7
  v128.store offset=16
  local.get $0
  local.get $8
  v128.store
  local.get $0
  local.get $9
  v128.store offset=16
  local.get $0
  local.get $6
  i32.add
  local.tee $0
  local.get $10
  v128.store
  local.get $0
  local.get $11
  v128.store offset=16
  local.get $0
  local.get $6
  i32.add
  local.tee $0
  local.get $12
  v128.store
  local.get $0
  local.get $13
  v128.store offset=16
  local.get $0
  local.get $6
  i32.add
  local.tee $0
  local.get $14
  v128.store
  local.get $0
  local.get $15
  v128.store offset=16
  local.get $0
  local.get $6
  i32.add
  local.tee $0
  local.get $16
  v128.store
  local.get $0
  local.get $17
  v128.store offset=16
 )
 (func $assembly/gemm/dotRows (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32)
  (local $5 i32)
  (local $6 f32)
  (local $7 v128)
  (local $8 v128)
  (local $9 v128)
  (local $10 v128)
  (local $11 v128)
  (local $12 v128)
  (local $13 v128)
  (local $14 f32)
  (local $15 f32)
  (local $16 f32)
  (local $17 f32)
  (local $18 f32)
  (local $19 f32)
  (local $20 i32)
  (local $21 i32)
  (local $22 i32)
  (local $23 i32)
  (local $24 i32)
  (local $25 i32)
  local.get $1
  local.get $2
  i32.add
  local.tee $20
  local.get $2
  i32.add
  local.tee $21
  local.get $2
  i32.add
  local.tee $22
  local.get $2
  i32.add
  local.tee $23
  local.get $2
  i32.add
  local.set $24
  local.get $0
  i32.const -4
  i32.and
  local.tee $2
  i32.const 2
  i32.shl
  local.set $25
  loop $for-loop|0
   local.get $5
   local.get $25
   i32.lt_u
   if
    local.get $7
    local.get $1
    local.get $5
    i32.add
    v128.load
    local.get $3
    local.get $5
    i32.add
    v128.load
    local.tee $8
    f32x4.mul
    f32x4.add
    local.set $7
    local.get $9
    local.get $5
    local.get $20
    i32.add
    v128.load
    local.get $8
    f32x4.mul
    f32x4.add
    local.set $9
    local.get $10
    local.get $5
    local.get $21
    i32.add
    v128.load
    local.get $8
    f32x4.mul
    f32x4.add
    local.set $10
    local.get $11
    local.get $5
    local.get $22
    i32.add
    v128.load
    local.get $8
    f32x4.mul
    f32x4.add
    local.set $11
    local.get $12
    local.get $5
    local.get $23
    i32.add
    v128.load
    local.get $8
    f32x4.mul
    f32x4.add
    local.set $12
    local.get $13
    local.get $5
    local.get $24
    i32.add
    v128.load
    local.get $8
    f32x4.mul
    f32x4.add
    local.set $13
    local.get $5
    i32.const 16
    i32.add
    local.set $5
    br $for-loop|0
   end
  end
  local.get $7
  f32x4.extract_lane 0
  local.get $7
  f32x4.extract_lane 1
  f32.add
  local.get $7
  f32x4.extract_lane 2
  local.get $7
  f32x4.extract_lane 3
  f32.add
  f32.add
  local.set $14
  local.get $9
  f32x4.extract_lane 0
  local.get $9
  f32x4.extract_lane 1
  f32.add
  local.get $9
  f32x4.extract_lane 2
  local.get $9
  f32x4.extract_lane 3
  f32.add
  f32.add
  local.set $15
  local.get $10
  f32x4.extract_lane 0
  local.get $10
  f32x4.extract_lane 1
  f32.add
  local.get $10
  f32x4.extract_lane 2
  local.get $10
  f32x4.extract_lane 3
  f32.add
  f32.add
  local.set $16
  local.get $11
  f32x4.extract_lane 0
  local.get $11
  f32x4.extract_lane 1
  f32.add
  local.get $11
  f32x4.extract_lane 2
  local.get $11
  f32x4.extract_lane 3
  f32.add
  f32.add
  local.set $17
  local.get $12
  f32x4.extract_lane 0
  local.get $12
  f32x4.extract_lane 1
  f32.add
  local.get $12
  f32x4.extract_lane 2
  local.get $12
  f32x4.extract_lane 3
  f32.add
  f32.add
  local.set $18
  local.get $13
  f32x4.extract_lane 0
  local.get $13
  f32x4.extract_lane 1
  f32.add
  local.get $13
  f32x4.extract_lane 2
  local.get $13
  f32x4.extract_lane 3
  f32.add
  f32.add
  local.set $19
  loop $for-loop|1
   local.get $0
   local.get $2
   i32.gt_s
   if
    local.get $2
    i32.const 2
    i32.shl
    local.tee $5
    local.get $3
    i32.add
    f32.load
    local.set $6
    local.get $14
    local.get $1
    local.get $5
    i32.add
    f32.load
    local.get $6
    f32.mul
    f32.add
    local.set $14
    local.get $15
    local.get $5
    local.get $20
    i32.add
    f32.load
    local.get $6
    f32.mul
    f32.add
    local.set $15
    local.get $16
    local.get $5
    local.get $21
    i32.add
    f32.load
    local.get $6
    f32.mul
    f32.add
    local.set $16
    local.get $17
    local.get $5
    local.get $22
    i32.add
    f32.load
    local.get $6
    f32.mul
    f32.add
    local.set $17
    local.get $18
    local.get $5
    local.get $23
    i32.add
    f32.load
    local.get $6
    f32.mul
    f32.add
    local.set $18
    local.get $19
    local.get $5
    local.get $24
    i32.add
    f32.load
    local.get $6
    f32.mul
    f32.add
    local.set $19
    local.get $2
    i32.const 1
    i32.add
    local.set $2
    br $for-loop|1
   end
  end
  local.get $4
  local.get $14
  f32.store
  local.get $4
  local.get $15
  f32.store offset=32
  local.get $4
  i32.const -64
  i32.sub
  local.get $16
  f32.store
  local.get $4
  local.get $17
  f32.store offset=96
  local.get $4
  local.get $18
  f32.store offset=128
  local.get $4
  local.get $19
  f32.store offset=160
 )
 (func $assembly/conv/sumFilterPartials (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  loop $for-loop|0
   local.get $3
   local.get $11
   i32.gt_s
   if
    local.get $6
    local.get $4
    local.get $11
    i32.mul
    i32.const 2
    i32.shl
    i32.add
    local.set $10
    local.get $0
    local.get $5
    local.get $11
    i32.mul
    i32.const 2
    i32.shl
    i32.add
    local.set $12
    i32.const 0
    local.set $7
    loop $for-loop|1
     local.get $7
     i32.const 16
     i32.add
     local.tee $8
     local.get $4
     i32.le_s
     if
      local.get $7
      i32.const 2
      i32.shl
      local.tee $7
      local.get $10
      i32.add
      local.tee $9
      local.get $7
      local.get $12
      i32.add
      local.tee $7
      v128.load
      v128.store
      local.get $9
      local.get $7
      v128.load offset=16
      v128.store offset=16
      local.get $9
      local.get $7
      v128.load offset=32
      v128.store offset=32
      local.get $9
      local.get $7
      v128.load offset=48
      v128.store offset=48
      local.get $8
      local.set $7
      br $for-loop|1
     end
    end
    loop $for-loop|2
     local.get $7
     i32.const 4
     i32.add
     local.tee $8
     local.get $4
     i32.le_s
     if
      local.get $7
      i32.const 2
      i32.shl
      local.tee $7
      local.get $10
      i32.add
      local.get $7
      local.get $12
      i32.add
      v128.load
      v128.store
      local.get $8
      local.set $7
      br $for-loop|2
     end
    end
    loop $for-loop|3
     local.get $4
     local.get $7
     i32.gt_s
     if
      local.get $7
      i32.const 2
      i32.shl
      local.tee $8
      local.get $10
      i32.add
      local.get $8
      local.get $12
      i32.add
      f32.load
      f32.store
      local.get $7
      i32.const 1
      i32.add
      local.set $7
      br $for-loop|3
     end
    end
    i32.const 1
    local.set $9
    loop $for-loop|4
     local.get $2
     local.get $9
     i32.gt_s
     if
      local.get $12
      local.get $1
      local.get $9
      i32.mul
      i32.add
      local.set $13
      i32.const 0
      local.set $7
      loop $for-loop|5
       local.get $7
       i32.const 4
       i32.add
       local.tee $8
       local.get $4
       i32.le_s
       if
        local.get $7
        i32.const 2
        i32.shl
        local.tee $7
        local.get $10
        i32.add
        local.tee $14
        local.get $14
        v128.load
        local.get $7
        local.get $13
        i32.add
        v128.load
        f32x4.add
        v128.store
        local.get $8
        local.set $7
        br $for-loop|5
       end
      end
      loop $for-loop|6
       local.get $4
       local.get $7
       i32.gt_s
       if
        local.get $7
        i32.const 2
        i32.shl
        local.tee $8
        local.get $10
        i32.add
        local.tee $14
        local.get $14
        f32.load
        local.get $8
        local.get $13
        i32.add
        f32.load
        f32.add
        f32.store
        local.get $7
        i32.const 1
        i32.add
        local.set $7
        br $for-loop|6
       end
      end
      local.get $9
      i32.const 1
      i32.add
      local.set $9
      br $for-loop|4
     end
    end
    local.get $11
    i32.const 1
    i32.add
    local.set $11
    br $for-loop|0
   end
  end
 )
 (func $assembly/conv/gemmScratchBytes (param $0 i32) (result i32)
  local.get $0
  i32.const 2
  i32.shl
  i32.const 63
  i32.add
  i32.const -64
  i32.and
  i32.const 6
  i32.mul
  i32.const 256
  i32.add
 )
 (func $assembly/conv/gatherGradientPatch (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32) (param $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  local.get $2
  i32.load offset=16
  local.set $15
  local.get $2
  i32.load offset=20
  local.set $11
  local.get $0
  i32.load offset=32
  local.tee $10
  i32.const 2
  i32.shl
  local.set $12
  loop $for-loop|0
   local.get $13
   local.get $15
   i32.lt_s
   if
    block $for-continue|0
     local.get $5
     local.get $0
     i32.load offset=52
     i32.add
     local.get $3
     local.get $13
     i32.const 2
     i32.shl
     i32.add
     i32.load
     local.get $0
     i32.load offset=44
     i32.mul
     i32.sub
     local.get $0
     i32.load offset=36
     i32.div_s
     local.tee $2
     i32.const 0
     i32.lt_s
     if (result i32)
      i32.const 1
     else
      local.get $2
      local.get $0
      i32.load offset=24
      i32.ge_s
     end
     if
      local.get $7
      local.set $8
      local.get $10
      local.get $11
      i32.mul
      local.set $9
      i32.const 0
      local.set $2
      loop $for-loop|1
       local.get $2
       i32.const 16
       i32.add
       local.tee $7
       local.get $9
       i32.le_s
       if
        local.get $8
        local.get $2
        i32.const 2
        i32.shl
        i32.add
        local.tee $2
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $2
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=16
        local.get $2
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=32
        local.get $2
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store offset=48
        local.get $7
        local.set $2
        br $for-loop|1
       end
      end
      loop $for-loop|2
       local.get $2
       i32.const 4
       i32.add
       local.tee $7
       local.get $9
       i32.le_s
       if
        local.get $8
        local.get $2
        i32.const 2
        i32.shl
        i32.add
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $7
        local.set $2
        br $for-loop|2
       end
      end
      loop $for-loop|3
       local.get $2
       local.get $9
       i32.lt_s
       if
        local.get $8
        local.get $2
        i32.const 2
        i32.shl
        i32.add
        f32.const 0
        f32.store
        local.get $2
        i32.const 1
        i32.add
        local.set $2
        br $for-loop|3
       end
      end
      local.get $8
      local.get $11
      local.get $12
      i32.mul
      i32.add
      local.set $7
      br $for-continue|0
     end
     local.get $0
     i32.load offset=28
     local.get $4
     local.get $0
     i32.load offset=24
     i32.mul
     local.get $2
     i32.add
     i32.mul
     local.set $16
     i32.const 0
     local.set $9
     loop $for-loop|4
      local.get $9
      local.get $11
      i32.lt_s
      if
       local.get $6
       local.get $0
       i32.load offset=56
       i32.add
       local.get $3
       local.get $9
       local.get $15
       i32.add
       i32.const 2
       i32.shl
       i32.add
       i32.load
       local.get $0
       i32.load offset=48
       i32.mul
       i32.sub
       local.get $0
       i32.load offset=40
       i32.div_s
       local.tee $2
       i32.const 0
       i32.lt_s
       if (result i32)
        i32.const 1
       else
        local.get $2
        local.get $0
        i32.load offset=28
        i32.ge_s
       end
       if
        i32.const 0
        local.set $2
        loop $for-loop|5
         local.get $2
         i32.const 16
         i32.add
         local.tee $8
         local.get $10
         i32.le_s
         if
          local.get $7
          local.get $2
          i32.const 2
          i32.shl
          i32.add
          local.tee $2
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store
          local.get $2
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=16
          local.get $2
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=32
          local.get $2
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=48
          local.get $8
          local.set $2
          br $for-loop|5
         end
        end
        loop $for-loop|6
         local.get $2
         i32.const 4
         i32.add
         local.tee $8
         local.get $10
         i32.le_s
         if
          local.get $7
          local.get $2
          i32.const 2
          i32.shl
          i32.add
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store
          local.get $8
          local.set $2
          br $for-loop|6
         end
        end
        loop $for-loop|7
         local.get $2
         local.get $10
         i32.lt_s
         if
          local.get $7
          local.get $2
          i32.const 2
          i32.shl
          i32.add
          f32.const 0
          f32.store
          local.get $2
          i32.const 1
          i32.add
          local.set $2
          br $for-loop|7
         end
        end
       else
        local.get $1
        local.get $2
        local.get $16
        i32.add
        local.get $12
        i32.mul
        i32.add
        local.set $14
        i32.const 0
        local.set $2
        loop $for-loop|8
         local.get $2
         i32.const 16
         i32.add
         local.tee $8
         local.get $10
         i32.le_s
         if
          local.get $2
          i32.const 2
          i32.shl
          local.tee $17
          local.get $7
          i32.add
          local.tee $2
          local.get $14
          local.get $17
          i32.add
          local.tee $17
          v128.load
          v128.store
          local.get $2
          local.get $17
          v128.load offset=16
          v128.store offset=16
          local.get $2
          local.get $17
          v128.load offset=32
          v128.store offset=32
          local.get $2
          local.get $17
          v128.load offset=48
          v128.store offset=48
          local.get $8
          local.set $2
          br $for-loop|8
         end
        end
        loop $for-loop|9
         local.get $2
         i32.const 4
         i32.add
         local.tee $8
         local.get $10
         i32.le_s
         if
          local.get $2
          i32.const 2
          i32.shl
          local.tee $2
          local.get $7
          i32.add
          local.get $2
          local.get $14
          i32.add
          v128.load
          v128.store
          local.get $8
          local.set $2
          br $for-loop|9
         end
        end
        loop $for-loop|10
         local.get $2
         local.get $10
         i32.lt_s
         if
          local.get $2
          i32.const 2
          i32.shl
          local.tee $8
          local.get $7
          i32.add
          local.get $8
          local.get $14
          i32.add
          f32.load
          f32.store
          local.get $2
          i32.const 1
          i32.add
          local.set $2
          br $for-loop|10
         end
        end
       end
       local.get $7
       local.get $12
       i32.add
       local.set $7
       local.get $9
       i32.const 1
       i32.add
       local.set $9
       br $for-loop|4
      end
     end
    end
    local.get $13
    i32.const 1
    i32.add
    local.set $13
    br $for-loop|0
   end
  end
 )
 (func $assembly/conv/filterScratchBytes (param $0 i32) (param $1 i32) (param $2 i32) (result i32)
  local.get $0
  local.get $1
  local.get $2
  i32.add
  i32.mul
  i32.const 2
  i32.shl
  i32.const -64
  i32.sub
 )
 (func $assembly/conv/convForward (param $0 i32) (param $1 i32) (param $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  local.get $0
  local.tee $7
  i32.load offset=12
  local.get $7
  i32.load offset=16
  local.get $7
  i32.load offset=20
  i32.mul
  i32.mul
  local.set $18
  local.get $7
  i32.load offset=24
  local.get $7
  i32.load offset=28
  i32.mul
  local.tee $15
  local.get $7
  i32.load
  i32.mul
  local.tee $3
  local.get $1
  local.get $7
  i32.load offset=84
  local.tee $1
  i32.mul
  local.tee $0
  local.get $1
  i32.add
  local.tee $1
  local.get $1
  local.get $3
  i32.gt_s
  select
  local.set $14
  local.get $7
  i32.load offset=76
  local.get $2
  local.get $7
  i32.load offset=80
  i32.mul
  i32.add
  local.tee $4
  local.get $18
  i32.const 2
  i32.shl
  i32.const 63
  i32.add
  i32.const -64
  i32.and
  local.tee $3
  i32.const 6
  i32.mul
  i32.add
  local.set $10
  local.get $7
  i32.load offset=60
  local.set $13
  local.get $7
  i32.load offset=32
  local.tee $9
  i32.const 2
  i32.shl
  local.set $12
  local.get $0
  local.set $2
  loop $for-loop|0
   local.get $2
   local.get $14
   i32.lt_s
   if
    local.get $4
    local.set $6
    local.get $3
    local.set $5
    i32.const 6
    local.get $14
    local.get $2
    i32.sub
    local.tee $0
    local.get $0
    i32.const 6
    i32.gt_s
    select
    local.tee $11
    i32.const 6
    i32.eq
    i32.const 0
    local.get $7
    i32.load offset=88
    select
    if
     local.get $13
     local.get $2
     local.get $18
     i32.mul
     i32.const 2
     i32.shl
     i32.add
     local.set $6
     local.get $18
     i32.const 2
     i32.shl
     local.set $5
    else
     i32.const 0
     local.set $17
     loop $for-loop|1
      local.get $17
      i32.const 6
      i32.lt_s
      if
       local.get $4
       local.get $3
       local.get $17
       i32.mul
       i32.add
       local.set $16
       block $for-continue|1
        local.get $11
        local.get $17
        i32.le_s
        if
         i32.const 0
         local.set $0
         loop $for-loop|2
          local.get $0
          i32.const 16
          i32.add
          local.tee $1
          local.get $18
          i32.le_s
          if
           local.get $16
           local.get $0
           i32.const 2
           i32.shl
           i32.add
           local.tee $0
           v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
           v128.store
           local.get $0
           v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
           v128.store offset=16
           local.get $0
           v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
           v128.store offset=32
           local.get $0
           v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
           v128.store offset=48
           local.get $1
           local.set $0
           br $for-loop|2
          end
         end
         loop $for-loop|3
          local.get $0
          i32.const 4
          i32.add
          local.tee $1
          local.get $18
          i32.le_s
          if
           local.get $16
           local.get $0
           i32.const 2
           i32.shl
           i32.add
           v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
           v128.store
           local.get $1
           local.set $0
           br $for-loop|3
          end
         end
         loop $for-loop|4
          local.get $0
          local.get $18
          i32.lt_s
          if
           local.get $16
           local.get $0
           i32.const 2
           i32.shl
           i32.add
           f32.const 0
           f32.store
           local.get $0
           i32.const 1
           i32.add
           local.set $0
           br $for-loop|4
          end
         end
         br $for-continue|1
        end
        local.get $7
        local.get $13
        local.get $2
        local.get $17
        i32.add
        local.tee $1
        local.get $15
        i32.div_s
        local.tee $0
        local.get $1
        local.get $0
        local.get $15
        i32.mul
        i32.sub
        local.tee $1
        local.get $7
        i32.load offset=28
        local.tee $8
        i32.div_s
        local.tee $0
        local.get $1
        local.get $0
        local.get $8
        i32.mul
        i32.sub
        local.get $16
        call $assembly/conv/gatherPatch
       end
       local.get $17
       i32.const 1
       i32.add
       local.set $17
       br $for-loop|1
      end
     end
    end
    local.get $18
    local.get $9
    local.get $6
    local.get $5
    local.get $7
    i32.load offset=64
    local.get $7
    i32.load offset=68
    local.get $11
    local.get $7
    i32.load offset=72
    local.get $2
    local.get $12
    i32.mul
    i32.add
    local.get $12
    i32.const 0
    i32.const 1
    local.get $10
    call $assembly/conv/multiplyRows
    local.get $2
    i32.const 6
    i32.add
    local.set $2
    br $for-loop|0
   end
  end
 )
 (func $assembly/conv/convBackpropInput (param $0 i32) (param $1 i32) (param $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  (local $18 i32)
  (local $19 i32)
  (local $20 i32)
  (local $21 i32)
  local.get $0
  i32.load offset=64
  local.get $1
  i32.const 12
  i32.mul
  i32.add
  local.tee $3
  i32.load
  local.set $21
  local.get $3
  i32.load offset=4
  local.get $3
  i32.load offset=8
  local.set $15
  local.get $21
  i32.load offset=8
  local.get $21
  i32.load offset=12
  i32.mul
  local.set $14
  local.get $0
  i32.load offset=72
  local.get $2
  local.get $0
  i32.load offset=76
  i32.mul
  i32.add
  local.tee $12
  local.get $0
  i32.load offset=32
  local.get $21
  i32.load offset=16
  local.get $21
  i32.load offset=20
  i32.mul
  i32.mul
  local.tee $19
  i32.const 2
  i32.shl
  i32.const 63
  i32.add
  i32.const -64
  i32.and
  local.tee $13
  i32.const 6
  i32.mul
  i32.add
  local.tee $9
  i32.const 192
  i32.add
  local.set $18
  local.get $0
  i32.load offset=12
  local.tee $17
  i32.const 2
  i32.shl
  local.set $11
  local.get $0
  i32.load offset=36
  i32.const 1
  i32.eq
  local.tee $4
  if
   local.get $0
   i32.load offset=40
   i32.const 1
   i32.eq
   local.set $4
  end
  local.get $21
  i32.const 32
  i32.add
  local.set $10
  local.set $2
  loop $for-loop|0
   local.get $2
   local.get $15
   i32.lt_s
   if
    i32.const 6
    local.get $15
    local.get $2
    i32.sub
    local.tee $1
    local.get $1
    i32.const 6
    i32.gt_s
    select
    local.set $16
    i32.const 0
    local.set $20
    loop $for-loop|1
     local.get $20
     i32.const 6
     i32.lt_s
     if
      local.get $12
      local.get $13
      local.get $20
      i32.mul
      i32.add
      local.set $5
      block $for-continue|1
       local.get $16
       local.get $20
       i32.le_s
       if
        i32.const 0
        local.set $1
        loop $for-loop|2
         local.get $1
         i32.const 16
         i32.add
         local.tee $3
         local.get $19
         i32.le_s
         if
          local.get $1
          i32.const 2
          i32.shl
          local.get $5
          i32.add
          local.tee $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store
          local.get $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=16
          local.get $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=32
          local.get $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=48
          local.get $3
          local.set $1
          br $for-loop|2
         end
        end
        loop $for-loop|3
         local.get $1
         i32.const 4
         i32.add
         local.tee $3
         local.get $19
         i32.le_s
         if
          local.get $5
          local.get $1
          i32.const 2
          i32.shl
          i32.add
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store
          local.get $3
          local.set $1
          br $for-loop|3
         end
        end
        loop $for-loop|4
         local.get $1
         local.get $19
         i32.lt_s
         if
          local.get $5
          local.get $1
          i32.const 2
          i32.shl
          i32.add
          f32.const 0
          f32.store
          local.get $1
          i32.const 1
          i32.add
          local.set $1
          br $for-loop|4
         end
        end
        br $for-continue|1
       end
       local.get $2
       local.get $20
       i32.add
       local.tee $1
       local.get $14
       i32.div_s
       local.set $3
       local.get $18
       local.get $20
       i32.const 2
       i32.shl
       i32.add
       local.get $0
       i32.load offset=68
       local.get $0
       i32.load offset=8
       local.get $21
       i32.load
       local.get $1
       local.get $3
       local.get $14
       i32.mul
       i32.sub
       local.tee $1
       local.get $21
       i32.load offset=12
       local.tee $8
       i32.div_s
       local.tee $7
       local.get $0
       i32.load offset=36
       i32.mul
       i32.add
       local.tee $6
       local.get $3
       local.get $0
       i32.load offset=4
       i32.mul
       i32.add
       i32.mul
       local.get $21
       i32.load offset=4
       local.get $0
       i32.load offset=40
       local.get $1
       local.get $7
       local.get $8
       i32.mul
       i32.sub
       i32.mul
       i32.add
       local.tee $1
       i32.add
       local.get $11
       i32.mul
       i32.add
       i32.store
       local.get $0
       local.get $0
       i32.load offset=60
       local.get $21
       local.get $10
       local.get $3
       local.get $6
       local.get $1
       local.get $5
       call $assembly/conv/gatherGradientPatch
      end
      local.get $20
      i32.const 1
      i32.add
      local.set $20
      br $for-loop|1
     end
    end
    block $for-continue|0
     local.get $19
     i32.eqz
     if
      i32.const 0
      local.set $20
      loop $for-loop|5
       local.get $16
       local.get $20
       i32.gt_s
       if
        local.get $18
        local.get $20
        i32.const 2
        i32.shl
        i32.add
        i32.load
        local.set $5
        i32.const 0
        local.set $1
        loop $for-loop|6
         local.get $1
         i32.const 16
         i32.add
         local.tee $3
         local.get $17
         i32.le_s
         if
          local.get $1
          i32.const 2
          i32.shl
          local.get $5
          i32.add
          local.tee $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store
          local.get $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=16
          local.get $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=32
          local.get $1
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store offset=48
          local.get $3
          local.set $1
          br $for-loop|6
         end
        end
        loop $for-loop|7
         local.get $1
         i32.const 4
         i32.add
         local.tee $3
         local.get $17
         i32.le_s
         if
          local.get $5
          local.get $1
          i32.const 2
          i32.shl
          i32.add
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          v128.store
          local.get $3
          local.set $1
          br $for-loop|7
         end
        end
        loop $for-loop|8
         local.get $1
         local.get $17
         i32.lt_s
         if
          local.get $5
          local.get $1
          i32.const 2
          i32.shl
          i32.add
          f32.const 0
          f32.store
          local.get $1
          i32.const 1
          i32.add
          local.set $1
          br $for-loop|8
         end
        end
        local.get $20
        i32.const 1
        i32.add
        local.set $20
        br $for-loop|5
       end
      end
      br $for-continue|0
     end
     local.get $19
     local.get $17
     local.get $12
     local.get $13
     local.get $21
     i32.load offset=24
     local.get $21
     i32.load offset=28
     local.get $16
     local.get $18
     i32.load
     local.get $11
     local.get $18
     local.get $4
     local.get $9
     call $assembly/conv/multiplyRows
    end
    local.get $2
    i32.const 6
    i32.add
    local.set $2
    br $for-loop|0
   end
  end
 )
 (func $assembly/conv/convBackpropFilter (param $0 i32) (param $1 i32) (param $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i32)
  local.get $0
  local.tee $3
  i32.load offset=12
  local.get $0
  i32.load offset=16
  local.get $0
  i32.load offset=20
  i32.mul
  i32.mul
  local.set $8
  local.get $0
  i32.load offset=32
  local.set $4
  local.get $0
  i32.load offset=92
  local.set $5
  local.get $0
  i32.load offset=24
  local.get $0
  i32.load offset=28
  i32.mul
  local.tee $9
  local.get $0
  i32.load
  i32.mul
  local.tee $11
  local.get $1
  local.get $0
  i32.load offset=84
  local.tee $1
  i32.mul
  local.tee $10
  local.get $1
  i32.add
  local.tee $12
  local.get $11
  local.get $12
  i32.lt_s
  select
  local.get $10
  i32.sub
  local.set $11
  local.get $0
  i32.load offset=76
  local.get $2
  local.get $0
  i32.load offset=80
  i32.mul
  i32.add
  local.tee $12
  local.get $1
  local.get $0
  i32.load offset=88
  local.tee $14
  i32.mul
  i32.const 2
  i32.shl
  i32.add
  local.set $13
  local.get $0
  i32.load offset=68
  local.get $2
  local.get $0
  i32.load offset=72
  i32.mul
  i32.add
  local.set $2
  loop $for-loop|0
   local.get $6
   local.get $11
   i32.lt_s
   if
    local.get $3
    local.get $3
    i32.load offset=60
    local.get $6
    local.get $10
    i32.add
    local.tee $15
    local.get $9
    i32.div_s
    local.tee $0
    local.get $15
    local.get $0
    local.get $9
    i32.mul
    i32.sub
    local.tee $0
    local.get $3
    i32.load offset=28
    local.tee $1
    i32.div_s
    local.tee $16
    local.get $0
    local.get $1
    local.get $16
    i32.mul
    i32.sub
    local.get $12
    local.get $6
    local.get $14
    i32.mul
    i32.const 2
    i32.shl
    i32.add
    local.tee $0
    call $assembly/conv/gatherPatch
    local.get $8
    local.get $14
    i32.lt_s
    if
     local.get $0
     local.get $8
     i32.const 2
     i32.shl
     i32.add
     local.set $16
     local.get $14
     local.get $8
     i32.sub
     local.set $17
     i32.const 0
     local.set $0
     loop $for-loop|1
      local.get $0
      i32.const 16
      i32.add
      local.tee $1
      local.get $17
      i32.le_s
      if
       local.get $16
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       local.tee $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store
       local.get $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store offset=16
       local.get $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store offset=32
       local.get $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store offset=48
       local.get $1
       local.set $0
       br $for-loop|1
      end
     end
     loop $for-loop|2
      local.get $0
      i32.const 4
      i32.add
      local.tee $1
      local.get $17
      i32.le_s
      if
       local.get $16
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store
       local.get $1
       local.set $0
       br $for-loop|2
      end
     end
     loop $for-loop|3
      local.get $0
      local.get $17
      i32.lt_s
      if
       local.get $16
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       f32.const 0
       f32.store
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $for-loop|3
      end
     end
    end
    local.get $13
    local.get $5
    local.get $6
    i32.mul
    i32.const 2
    i32.shl
    i32.add
    local.set $16
    local.get $3
    i32.load offset=64
    local.get $4
    local.get $15
    i32.mul
    i32.const 2
    i32.shl
    i32.add
    local.set $15
    i32.const 0
    local.set $0
    loop $for-loop|4
     local.get $0
     i32.const 16
     i32.add
     local.tee $1
     local.get $4
     i32.le_s
     if
      local.get $0
      i32.const 2
      i32.shl
      local.tee $0
      local.get $16
      i32.add
      local.tee $17
      local.get $0
      local.get $15
      i32.add
      local.tee $0
      v128.load
      v128.store
      local.get $17
      local.get $0
      v128.load offset=16
      v128.store offset=16
      local.get $17
      local.get $0
      v128.load offset=32
      v128.store offset=32
      local.get $17
      local.get $0
      v128.load offset=48
      v128.store offset=48
      local.get $1
      local.set $0
      br $for-loop|4
     end
    end
    loop $for-loop|5
     local.get $0
     i32.const 4
     i32.add
     local.tee $1
     local.get $4
     i32.le_s
     if
      local.get $0
      i32.const 2
      i32.shl
      local.tee $0
      local.get $16
      i32.add
      local.get $0
      local.get $15
      i32.add
      v128.load
      v128.store
      local.get $1
      local.set $0
      br $for-loop|5
     end
    end
    loop $for-loop|6
     local.get $0
     local.get $4
     i32.lt_s
     if
      local.get $0
      i32.const 2
      i32.shl
      local.tee $1
      local.get $16
      i32.add
      local.get $1
      local.get $15
      i32.add
      f32.load
      f32.store
      local.get $0
      i32.const 1
      i32.add
      local.set $0
      br $for-loop|6
     end
    end
    local.get $4
    local.get $5
    i32.lt_s
    if
     local.get $16
     local.get $4
     i32.const 2
     i32.shl
     i32.add
     local.set $15
     local.get $5
     local.get $4
     i32.sub
     local.set $16
     i32.const 0
     local.set $0
     loop $for-loop|7
      local.get $0
      i32.const 16
      i32.add
      local.tee $1
      local.get $16
      i32.le_s
      if
       local.get $15
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       local.tee $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store
       local.get $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store offset=16
       local.get $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store offset=32
       local.get $0
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store offset=48
       local.get $1
       local.set $0
       br $for-loop|7
      end
     end
     loop $for-loop|8
      local.get $0
      i32.const 4
      i32.add
      local.tee $1
      local.get $16
      i32.le_s
      if
       local.get $15
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
       v128.store
       local.get $1
       local.set $0
       br $for-loop|8
      end
     end
     loop $for-loop|9
      local.get $0
      local.get $16
      i32.lt_s
      if
       local.get $15
       local.get $0
       i32.const 2
       i32.shl
       i32.add
       f32.const 0
       f32.store
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $for-loop|9
      end
     end
    end
    local.get $6
    i32.const 1
    i32.add
    local.set $6
    br $for-loop|0
   end
  end
  local.get $14
  i32.const 2
  i32.shl
  local.set $1
  local.get $5
  i32.const 2
  i32.shl
  local.set $3
  loop $for-loop|10
   local.get $7
   local.get $14
   i32.lt_s
   if
    i32.const 0
    local.set $0
    loop $for-loop|11
     local.get $0
     local.get $5
     i32.lt_s
     if
      local.get $11
      local.get $12
      local.get $7
      i32.const 2
      i32.shl
      i32.add
      local.get $1
      local.get $13
      local.get $0
      i32.const 2
      i32.shl
      i32.add
      local.get $3
      local.get $2
      local.get $5
      local.get $7
      i32.mul
      local.get $0
      i32.add
      i32.const 2
      i32.shl
      i32.add
      local.get $3
      call $assembly/gemm/kernelCols
      local.get $0
      i32.const 8
      i32.add
      local.set $0
      br $for-loop|11
     end
    end
    local.get $7
    i32.const 6
    i32.add
    local.set $7
    br $for-loop|10
   end
  end
 )
)
