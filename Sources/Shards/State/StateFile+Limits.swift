/// What a state may declare, checked on the parsed JSON before any model is
/// decoded from it, so a state of ten million ks is refused for its size in
/// one linear pass instead of being built and then compared.
extension StateFile {
  /// The most distinct ks a state may hold: the same bound as `mapk eval -k`'s.
  public static let maximumKCount = 1_000_000
  /// The most dimensions an input's `shape` may list (NumPy's own limit).
  public static let maximumDimensions = 64

  /// The first array of `json` (a state file's or an encoded ``MAPState``'s)
  /// longer than a run can write, as a one-line problem naming the field and
  /// the limit; nil if every declared size is within bounds.
  ///
  /// - Complexity: O(metrics), reading only the array headers.
  static func declaredSizeProblem(_ json: JSONDocument) -> String? {
    guard json.nodes.first?.kind == .object else { return nil }
    func count(_ key: String, in object: Int) -> Int? {
      guard let i = json.member(key, of: object), json.nodes[i].kind == .array else { return nil }
      return Int(json.nodes[i].count)
    }
    func check(_ field: String, _ n: Int?, _ limit: Int, _ what: String) -> String? {
      guard let n, n > limit else { return nil }
      return "'\(field)' has \(n) elements, more than the \(limit) \(what)"
    }
    let metrics = Metric.allCases.count
    let ks = "ks a state may hold (the limit of -k)"
    if let p = check("ks", count("ks", in: 0), maximumKCount, ks)
        ?? check("metrics", count("metrics", in: 0), metrics, "metrics there are")
        ?? check("totals", count("totals", in: 0), maximumKCount, ks)
        ?? check("sums", count("sums", in: 0), metrics, "metrics there are") {
      return p
    }
    if let sums = json.member("sums", of: 0), json.nodes[sums].kind == .array {
      for (m, entry) in json.elements(of: sums).enumerated() where json.nodes[entry].kind == .object {
        for field in ["ks", "totals", "denominators"] {
          if let p = check("sums[\(m)].\(field)", count(field, in: entry), maximumKCount, ks) { return p }
        }
      }
    }
    if let inputs = json.member("inputs", of: 0), json.nodes[inputs].kind == .object {
      for (key, value) in json.members(of: inputs) where json.nodes[value].kind == .object {
        let name = "inputs.\(JSONDocument.display(json.stringBytes(key))).shape"
        if let p = check(name, count("shape", in: value), maximumDimensions, "dimensions an array may have") {
          return p
        }
      }
    }
    return nil
  }
}
