/// The environment variables callpop reads secrets from. Children never inherit them: the
/// launcher removes every name here from the session's environment before a program starts.
/// A setting that reads a secret from the environment (`[pbx] password_env`, and any added
/// later) must add its variable's name to the configuration's list.
public enum SecretVariables {
    /// Where the PBX password comes from when `password_env` is not set.
    public static let defaultPBXPassword = "CALLPOP_PBX_PASSWORD"

    /// Withheld from children whatever the configuration says.
    public static let always: Set<String> = [defaultPBXPassword]
}
