# Fit tanh(x) ~ x*P(s)/Q(s), s = x^2, P = 1 + p1 s + ... + p6 s^6, Q = 1 + q1 s + q2 s^2 + q3 s^3
# on x in [0, C]: Sanathanan-Koerner linearised least squares, then Lawson reweighting toward minimax abs error.
import mpmath as mp
mp.mp.dps = 40
C = mp.mpf(9)
NP, NQ = 6, 3
N = 1500
xs = [C*(1-mp.cos(mp.pi*(i+0.5)/N))/2 for i in range(N)]  # Chebyshev-like nodes, dense near 0 and C
ts = [mp.tanh(x) for x in xs]
w = [mp.mpf(1)]*N
qprev = [mp.mpf(1)]*N
def solve(w, qprev):
    rows=[]; rhs=[]
    for x,t,wi,qp in zip(xs,ts,w,qprev):
        s=x*x; f=mp.sqrt(wi)/qp
        # x*(1+sum p_k s^k) - t*(1+sum q_k s^k) = 0  -> sum p_k x s^k - sum q_k t s^k = t - x
        rows.append([f*x*s**k for k in range(1,NP+1)]+[-f*t*s**k for k in range(1,NQ+1)])
        rhs.append(f*(t-x))
    A=mp.matrix(rows); b=mp.matrix(rhs)
    sol, res = mp.qr_solve(A,b)
    return [sol[i] for i in range(NP)], [sol[NP+i] for i in range(NQ)]
def ev(p,q,x):
    s=x*x
    P=1+sum(p[k]*s**(k+1) for k in range(NP)); Q=1+sum(q[k]*s**(k+1) for k in range(NQ))
    return x*P/Q, Q
for it in range(40):
    p,q = solve(w,qprev)
    errs=[]; qs=[]
    for x,t in zip(xs,ts):
        y,Q=ev(p,q,x); errs.append(y-t); qs.append(Q)
    qprev=qs
    m=max(abs(e) for e in errs)
    if it>=5:
        w=[wi*abs(e) for wi,e in zip(w,errs)]; sw=sum(w); w=[wi/sw for wi in w]
    print(it, mp.nstr(m,5))
print("p =", [mp.nstr(v,20) for v in p])
print("q =", [mp.nstr(v,20) for v in q])
# check on a dense grid
dense=[C*i/20000 for i in range(20001)]
print("dense max", mp.nstr(max(abs(ev(p,q,x)[0]-mp.tanh(x)) for x in dense),5))
print("min Q", mp.nstr(min(ev(p,q,x)[1] for x in dense),5))
