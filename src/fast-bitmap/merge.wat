;; The dense OR-merge and popcount of bitmap words as a WebAssembly kernel (issue 4: dense OR-merge at most
;; 1.2 B with a kernel built from source in the repo). scripts/build-wasm.mjs assembles this file into
;; dist/wasm/merge.wasm with the `wabt` package; src/fast-bitmap/merge-kernel.ts loads it and stages the words of a
;; JavaScript bitmap through its memory. Nothing here knows about tracks or summaries: these are the inner
;; loops of `mergeWords` and `countWords` in src/fast-bitmap/bitmap.ts, with exactly their results.
;;
;; Words are 32-bit and little-endian, bit i in bit (i & 31) of word i >>> 5, as in src/fast-bitmap/bitmap.ts. Every
;; address is a byte offset into the imported memory; a region of n words is [offset, offset + 4n), and must
;; end below byte 2^32 because the loops compare 32-bit addresses. Any offset is correct; offsets that are
;; multiples of 16 are the fast case. The caller sizes the memory:
;; the staging loader gives it a few fixed pages, the bench a memory that holds two whole maps. Because the
;; memory is the caller's and never grows here, a view the caller keeps on it never detaches (anchors §2.2).
;;
;; Counts are summed in i64 and returned as f64, which JavaScript reads as an exact number: a count fits
;; in 53 bits for any region that fits in a 32-bit memory.
;;
;; Which instructions, measured with throwaway variants of this file on the project's machine (V8 11.3, 2^23
;; words in L1-sized chunks). ORing with v128 and counting the two i64 lanes of (b & ~a) with i64.popcnt ran
;; in 1.3 ms. The alternatives were slower:
;;   - i8x16.popcnt with extadd_pairwise: 1.7 ms, because V8 lowers i8x16.popcnt to a nibble-table shuffle
;;     sequence on x64;
;;   - all-i64 loads: 2.0 ms, because they need four scalar operations per 8 bytes;
;;   - a v128 Harley-Seal carry-save tree: 1.8 ms, because it spills registers.
;; For a plain popcount, i64.popcnt (0.7 ms) beat i8x16.popcnt (1.3 ms).
(module
  (import "env" "memory" (memory 1))

  ;; a |= b over the n words at a and b; returns popcount(b & ~a) summed over the words before the OR, that
  ;; is the number of bits the OR newly sets. Sixteen words (four v128) per step, then up to 15 single words.
  (func (export "merge") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $x v128) (local $y v128) (local $new v128) (local $added i64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (v128.load offset=0 (local.get $a)))
        (local.set $y (v128.load offset=0 (local.get $b)))
        (v128.store offset=0 (local.get $a) (v128.or (local.get $x) (local.get $y)))
        (local.set $new (v128.andnot (local.get $y) (local.get $x)))
        (local.set $added (i64.add (local.get $added) (i64.add
          (i64.popcnt (i64x2.extract_lane 0 (local.get $new)))
          (i64.popcnt (i64x2.extract_lane 1 (local.get $new))))))
        (local.set $x (v128.load offset=16 (local.get $a)))
        (local.set $y (v128.load offset=16 (local.get $b)))
        (v128.store offset=16 (local.get $a) (v128.or (local.get $x) (local.get $y)))
        (local.set $new (v128.andnot (local.get $y) (local.get $x)))
        (local.set $added (i64.add (local.get $added) (i64.add
          (i64.popcnt (i64x2.extract_lane 0 (local.get $new)))
          (i64.popcnt (i64x2.extract_lane 1 (local.get $new))))))
        (local.set $x (v128.load offset=32 (local.get $a)))
        (local.set $y (v128.load offset=32 (local.get $b)))
        (v128.store offset=32 (local.get $a) (v128.or (local.get $x) (local.get $y)))
        (local.set $new (v128.andnot (local.get $y) (local.get $x)))
        (local.set $added (i64.add (local.get $added) (i64.add
          (i64.popcnt (i64x2.extract_lane 0 (local.get $new)))
          (i64.popcnt (i64x2.extract_lane 1 (local.get $new))))))
        (local.set $x (v128.load offset=48 (local.get $a)))
        (local.set $y (v128.load offset=48 (local.get $b)))
        (v128.store offset=48 (local.get $a) (v128.or (local.get $x) (local.get $y)))
        (local.set $new (v128.andnot (local.get $y) (local.get $x)))
        (local.set $added (i64.add (local.get $added) (i64.add
          (i64.popcnt (i64x2.extract_lane 0 (local.get $new)))
          (i64.popcnt (i64x2.extract_lane 1 (local.get $new))))))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br $step)))
    (f64.convert_i64_u (i64.add (local.get $added)
      (call $mergeSingleWords (local.get $a) (local.get $b) (i32.and (local.get $n) (i32.const 15))))))

  ;; The same as merge, one word at a time, for the at most 15 words after the last full step of 16.
  (func $mergeSingleWords (param $a i32) (param $b i32) (param $n i32) (result i64)
    (local $end i32) (local $x i32) (local $y i32) (local $added i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (i32.load (local.get $a)))
        (local.set $y (i32.load (local.get $b)))
        (i32.store (local.get $a) (i32.or (local.get $x) (local.get $y)))
        (local.set $added (i32.add (local.get $added)
          (i32.popcnt (i32.and (local.get $y) (i32.xor (local.get $x) (i32.const -1))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $step)))
    (i64.extend_i32_u (local.get $added)))

  ;; The number of set bits in the n words at p. Sixteen words (eight i64) per step, then up to 15 single words.
  (func (export "count") (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $total i64) (local $rest i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $total (i64.add (local.get $total) (i64.add
          (i64.add
            (i64.add (i64.popcnt (i64.load offset=0 (local.get $p))) (i64.popcnt (i64.load offset=8 (local.get $p))))
            (i64.add (i64.popcnt (i64.load offset=16 (local.get $p))) (i64.popcnt (i64.load offset=24 (local.get $p)))))
          (i64.add
            (i64.add (i64.popcnt (i64.load offset=32 (local.get $p))) (i64.popcnt (i64.load offset=40 (local.get $p))))
            (i64.add (i64.popcnt (i64.load offset=48 (local.get $p))) (i64.popcnt (i64.load offset=56 (local.get $p))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $step)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const 15)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $rest (i32.add (local.get $rest) (i32.popcnt (i32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $step)))
    (f64.convert_i64_u (i64.add (local.get $total) (i64.extend_i32_u (local.get $rest)))))
)
