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

}  // namespace gemmlab
