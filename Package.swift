// swift-tools-version:6.0
//
// callpop: a per-user Linux desktop agent that opens the right CRM page or
// application when a phone call rings, is placed or is answered.
//
// The layout shows the architecture: `CallPopCore` is the domain with no I/O;
// every outside world (configuration files, launching, AMI, SIP, libcurl,
// D-Bus) has one small target of its own; `callpop` is a thin executable.

import PackageDescription

let package = Package(
    name: "callpop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callpop", targets: ["callpop"]),
        .library(name: "CallPopCore", targets: ["CallPopCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, seen only by their wrapper targets.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CDBus", pkgConfig: "dbus-1",
            providers: [.apt(["libdbus-1-dev"])]),

        // The domain: call events, tracking, rules, templates, decisions. No I/O.
        .target(name: "CallPopCore"),

        // TOML configuration → validated rules and PBX source settings, with FILE:LINE:COLUMN errors.
        .target(
            name: "CallPopConfig",
            dependencies: ["CallPopCore", "CallPopAMI", "CallPopSIP", .product(name: "TOMLKit", package: "TOMLKit")]),

        // posix_spawn launcher: own session, stdin on /dev/null, no inherited fds, reaped.
        // CSpawn is the C half (glibc hides the needed spawn flags from Swift).
        .target(name: "CSpawn"),
        .target(name: "CallPopLaunch", dependencies: ["CallPopCore", "CSpawn"]),

        // Dedicated threads for blocking work (poll loops, FIFO reads), so Swift's small
        // cooperative pool is never held by a blocking system call.
        .target(name: "CallPopPlatform", dependencies: ["CSpawn"]),

        // Thin Swift wrapper over libcurl (connect-only streams, later HTTP callbacks).
        .target(name: "CallPopCurl", dependencies: ["CCurl"]),

        // PBX source: Asterisk Manager Interface.
        .target(
            name: "CallPopAMI",
            dependencies: ["CallPopCore", "CallPopCurl", "CallPopPlatform", .product(name: "Logging", package: "swift-log")]),

        // PBX source: SIP dialog-event subscription (RFC 4235).
        .target(
            name: "CallPopSIP",
            dependencies: ["CallPopCore", "CallPopXML", "CallPopCurl", "CallPopPlatform", .product(name: "Logging", package: "swift-log")]),

        // Desktop notifications and the control interface over libdbus-1.
        .target(
            name: "CallPopDBus",
            dependencies: ["CallPopCore", "CDBus", "CallPopPlatform", .product(name: "Logging", package: "swift-log")]),

        // Long-running services: sources, agent loop, decision output, reload.
        .target(
            name: "CallPopRuntime",
            dependencies: [
                "CallPopCore", "CallPopConfig", "CallPopLaunch", "CallPopPlatform", "CallPopAMI", "CallPopSIP", "CallPopDBus",
                .product(name: "Logging", package: "swift-log"),
            ]),

        .executableTarget(
            name: "callpop",
            dependencies: [
                "CallPopRuntime", "CallPopCore", "CallPopConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Measures the costs we promise to keep small (not part of the product).
        .executableTarget(
            name: "callpop-bench", dependencies: ["CallPopCore", "CallPopConfig", "CallPopLaunch", "CallPopAMI"],
            path: "Benchmarks/callpop-bench"),

        // Shared by the test targets: fixture paths, recorders, fake servers.
        .target(name: "CallPopTestSupport", dependencies: ["CallPopCore", "CallPopAMI"], path: "Tests/Support"),

        .testTarget(name: "CallPopCoreTests", dependencies: ["CallPopCore", "CallPopTestSupport"]),
        .testTarget(name: "CallPopConfigTests", dependencies: ["CallPopConfig", "CallPopTestSupport"]),
        .testTarget(name: "CallPopLaunchTests", dependencies: ["CallPopLaunch", "CallPopPlatform", "CallPopTestSupport"]),
        .testTarget(name: "CallPopAMITests", dependencies: ["CallPopAMI", "CallPopTestSupport"]),
        .testTarget(name: "CallPopSIPTests", dependencies: ["CallPopSIP", "CallPopXML", "CallPopTestSupport", "CallPopTestTools"]),
        .testTarget(name: "CallPopDBusTests", dependencies: ["CallPopDBus", "CallPopTestSupport"]),
        .testTarget(
            name: "CallPopIntegrationTests",
            dependencies: ["CallPopRuntime", "CallPopConfig", "CallPopTestSupport"]),

        // The strict XML reader (pure): SIP dialog-info bodies, CardDAV multistatus responses.
        .target(name: "CallPopXML"),
        .testTarget(name: "CallPopXMLTests", dependencies: ["CallPopXML", "CallPopTestTools"]),

        // Caller lookup logic (pure): vCard, CSV, number matching, the contact index, LDAP
        // filters, CardDAV requests and responses, JSON field paths for CRM APIs.
        .target(name: "CallPopLookup", dependencies: ["CallPopCore", "CallPopXML"]),
        .testTarget(name: "CallPopLookupTests", dependencies: ["CallPopLookup", "CallPopCore", "CallPopTestTools"]),

        // LDAP directories through Debian's OpenLDAP client library; CLDAP is seen only by CallPopLDAP.
        .systemLibrary(
            name: "CLDAP", pkgConfig: "ldap",
            providers: [.apt(["libldap-dev"])]),
        .target(name: "CallPopLDAP", dependencies: ["CLDAP", "CallPopLookup", "CallPopPlatform"]),
        .testTarget(name: "CallPopLDAPTests", dependencies: ["CallPopLDAP", "CallPopLookup", "CallPopCore", "CallPopTestTools"]),

        // Test-only helpers with no product dependency: a seeded generator, input mutators.
        .target(name: "CallPopTestTools", path: "Tests/Tools"),
    ]
)

// Strict settings for every target of ours, as swift-log does.
for target in package.targets where target.type != .system && target.name != "CSpawn" {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
    // A member of a module imported only by a dependency (Foundation through TOMLKit) must
    // not be picked silently: one such call once linked all of Foundation and ICU (+44 MB).
    if target.type != .test {
        target.swiftSettings! += [.enableUpcomingFeature("MemberImportVisibility")]
    }
}
