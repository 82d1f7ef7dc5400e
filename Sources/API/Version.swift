/// The product's version: reported by `GET /v1/health` and `--version` of both executables.
/// Bumped with each issue that lands (0.<issue>.<fix>); the API itself is versioned by its path.
public enum AgenciaVersion {
    public static let current = "0.14.0"
}
