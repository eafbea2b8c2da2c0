// gemmlab/numerics.hpp — the rounding-error bound every kernel must meet.
//
// For C := alpha*A*B + beta*C computed in float, each element is a sum of K
// products plus the beta term. Whatever the order of the additions, and with
// or without fused multiply-add, the computed value satisfies (Higham,
// "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1 and §3.5):
//
//   |C_hat(i,j) - C(i,j)| <= c * gamma_{K+2} * ( |alpha| * sum_p |A(i,p)||B(p,j)| + |beta| * |C(i,j)| )
//
//   gamma_n = n*u / (1 - n*u),   u = 2^-24 (unit roundoff of float)
//
// K+2 counts the roundings on the longest path of one term: at most K for
// the product and the additions of a dot product, one for the alpha scaling,
// one for adding the beta term. A blocked kernel splits the K sum into chunks
// of KC and adds each chunk's partial sum into C, which adds at most one
// rounding per chunk; so every gemmlab kernel stays within 2(K+2) - 1
// roundings, and gamma_{2n-1} <= 2*gamma_n holds whenever (2n-1)*n*u <= 1
// (true for K up to about 2800). Hence c = 2 (gemm_bound_constant).
// Real errors are far smaller (they grow like sqrt(K) on average): the bound
// is a proof that nothing is wrong, not a prediction of the error.
#pragma once

#include <cmath>

namespace gemmlab {

inline constexpr double unit_roundoff = 0x1.0p-24;  // u for float (round to nearest)
inline constexpr double gemm_bound_constant = 2.0;  // c, see above

// gamma_n = n*u / (1 - n*u); only meaningful for n*u < 1.
inline double gamma_n(double n) { return n * unit_roundoff / (1.0 - n * unit_roundoff); }

// The bound for one element, given abs_sum = |alpha| * sum_p |A(i,p)||B(p,j)| + |beta||C(i,j)|.
inline double gemm_error_bound(int K, double abs_sum) { return gemm_bound_constant * gamma_n(K + 2.0) * abs_sum; }

// ---- bf16 inputs (sbgemm, gemmlab/sbgemm.hpp) ----------------------------------
//
// A product of two bf16 numbers is exact in float (8 + 8 significant bits
// fit in 24), so against the exact product of the bf16 inputs Ā, B̄ only
// the float additions err, exactly as for float inputs: gemm_error_bound
// with abs_sum = |alpha| sum_p |Ā(i,p)||B̄(p,j)| + |beta||C(i,j)|, and the
// same c = 2 (the bf16 kernels also add KC-deep partial sums into C). That
// holds whatever order and grouping the instructions add in (vdpbf16ps and
// tdpbf16ps add each k pair's two products into the accumulator; Intel does
// not document the order of the two additions): every grouping is a
// summation tree with at most K additions on a path.
//
// Against the float inputs A, B that were rounded to Ā = A(1 + d_A),
// B̄ = B(1 + d_B), |d| <= v = 2^-8, each product moves by at most
// |(1 + d_A)(1 + d_B) - 1| <= 2v + v^2 of |A(i,p)||B(p,j)|: a term
// independent of K, added to the float bound (whose abs_sum over Ā, B̄ is
// at most (1 + v)^2 times the one over A, B).
inline constexpr double bf16_unit_roundoff = 0x1.0p-8;  // v: bf16 round to nearest, 8 significant bits

// The rounding of the inputs, given abs_product_sum = |alpha| sum_p |A(i,p)||B(p,j)| over the float inputs.
inline double bf16_input_rounding_bound(double abs_product_sum) {
  return (2.0 * bf16_unit_roundoff + bf16_unit_roundoff * bf16_unit_roundoff) * abs_product_sum;
}

}  // namespace gemmlab
