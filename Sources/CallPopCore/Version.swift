/// callpop's version, shown by `--version` and `Status()`.
public enum Version {
    /// The release number.
    public static let string = "0.1.0"
}
