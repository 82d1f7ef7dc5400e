/// "1 dia", "2 dias", "0 contas": a count and its noun in Portuguese (plural adds `s` unless
/// given: "1 mês", "3 meses").
public func counted(_ n: Int, _ singular: String, plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}
