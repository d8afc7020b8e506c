extension RowEvaluator {
  /// Evaluates `rows` while counting patterns, short rows ranked by
  /// `short`: dense labels of at most ``ShortRowCounting/maxWidth`` slots in
  /// whole runs (``ShortRowCounting/countRows(_:from:to:labels:width:ids:into:)``),
  /// other layouts row by row; a row with a NaN or without a label takes the
  /// general path (``evaluateRow``), then the runs resume. `patterns` is
  /// the caller's (not nil).
  ///
  /// - Complexity: O(rows · classes · (1 + m) / 4) vector operations for m
  ///   labels per row.
  @inline(never)
  func runShortRows<Bits: RowScanning>(
    _ short: ShortRowCounting<Bits>, _ selector: TopKSelector<Bits>, _ rows: Range<Int>, _ base: UnsafePointer<Bits>,
    _ labels: LabelRows, _ weights: RowWeights, _ state: inout MAPState, _ patterns: inout PatternCounts?,
    _ unitWeights: inout Int
  ) throws {
    var counted = 0
    defer {
      state.rows += counted
      unitWeights += counted
    }
    var dense = 0
    if labels.semantics == .dense, case .uniform(let width) = labels.offsets, width <= ShortRowCounting<Bits>.maxWidth,
      width <= labelCapacity
    {
      dense = width
    }
    var r = rows.lowerBound
    while r < rows.upperBound {
      var next = r
      if dense > 0 {
        switch labels.values {
        case .int64(let p):
          next = short.countRows(base, from: r, to: rows.upperBound, labels: p, width: dense, ids: labelClasses,
                                 into: &patterns!)
        case .int32(let p):
          next = short.countRows(base, from: r, to: rows.upperBound, labels: p, width: dense, ids: labelClasses,
                                 into: &patterns!)
        }
      } else {
        let (n, m, _, _) = gatherLabels(row: r, labels: labels)
        if n > 0, let mask = short.pattern(base + r &* classes, labelClasses, count: m) {
          patterns!.count(mask: mask, relevant: n)
          next = r &+ 1
        }
      }
      counted &+= next &- r
      guard next < rows.upperBound else { return }
      if next == r {
        // Declined (a NaN, or no label): the general path, counting too.
        try evaluateRow(r, selector, base, labels, weights, &state, nil, true, &patterns, &unitWeights)
        next = r &+ 1
      }
      r = next
    }
  }
}
