internal import CallPopCore

/// `[provisioning] url`: rules an administrator provides (the fragment itself is read by
/// `ConfigurationLoader.loadProvisioned`).
extension ConfigBuilder {
    /// `[provisioning]`, when it has a `url`; `{USERNUM}` and `{USERNAME}` are expanded for `user`.
    mutating func buildProvisioning(user: UserIdentity) -> RemoteResource? {
        let t = table("provisioning")
        checkKeys("provisioning", ConfigSchema.provisioning, t)
        if let first = t.first, t["url"] == nil {
            report(layers[first.value.layer], "provisioning", "[provisioning] needs url = \"https://…\"")
        }
        return buildRemote("provisioning", user: user)
    }
}
