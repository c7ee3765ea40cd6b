/// The environment variables callpop reads secrets from, and the one rule for what the
/// programs it starts inherit. Children never get those variables: every launcher (popup
/// apps and openers, the `[dial]` app, helper programs) builds a child's environment with
/// `childEnvironment(_:withholding:)`. A setting that reads a secret from the environment
/// (`password_env`, `env:` secret headers, …) must add its variable's name to the
/// configuration's list (`Configuration.secretEnvironment`).
public enum SecretVariables {
    /// Where the PBX password comes from when `password_env` is not set.
    public static let defaultPBXPassword = "CALLPOP_PBX_PASSWORD"

    /// Withheld from children whatever the configuration says.
    public static let always: Set<String> = [defaultPBXPassword]

    /// `environment` as a program callpop starts inherits it: without the variables `secrets`
    /// names, those in `always`, and the agent's own (`ActivationEnvironment.agentOnly`).
    public static func childEnvironment(_ environment: [String: String], withholding secrets: Set<String> = []) -> [String: String] {
        environment.filter { !secrets.contains($0.key) && !always.contains($0.key) && !ActivationEnvironment.agentOnly.contains($0.key) }
    }
}
