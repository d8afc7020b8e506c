/// |X/Y − (H − X)/(N − Y)| as an exact fraction: the statistic of the pooled
/// randomization test for system A's sums X (hits) and Y (n) out of the
/// totals H and N of both systems (a ratio with a zero denominator is 0).
struct PooledStatistic {
  let h: Int64
  let n: Int64
  /// |numerator| and the denominator (> 0) of the statistic.
  let magnitude: UInt128
  let denominator: UInt128

  /// The statistic of sums x, y out of totals h, n (all in 0 … 2⁵²).
  init(x: Int64, y: Int64, h: Int64, n: Int64) {
    self.h = h
    self.n = n
    let (x, y, h, n) = (Int128(x), Int128(y), Int128(h), Int128(n))
    let numerator: Int128, denominator: Int128
    switch (y == 0, n - y == 0) {
    case (true, true): (numerator, denominator) = (0, 1)
    case (true, false): (numerator, denominator) = (-(h - x), n - y)  // 0 − (H − X)/(N − Y)
    case (false, true): (numerator, denominator) = (x, y)  // X/Y − 0
    // X/Y − (H − X)/(N − Y) = (X·N − H·Y) / (Y·(N − Y)); each product below 2¹⁰⁴.
    case (false, false): (numerator, denominator) = (x * n - h * y, y * (n - y))
    }
    magnitude = numerator.magnitude
    self.denominator = UInt128(denominator)
  }

  /// self ≥ other, exactly: |a|·d ≥ |c|·b with 256-bit products.
  func isAtLeast(_ other: PooledStatistic) -> Bool {
    let left = magnitude.multipliedFullWidth(by: other.denominator)
    let right = other.magnitude.multipliedFullWidth(by: denominator)
    return left.high != right.high ? left.high > right.high : left.low >= right.low
  }
}
