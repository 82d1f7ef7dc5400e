// swift-tools-version:6.1
import PackageDescription

/// Agência Virtual: terminal client (`agencia`) and REST backend (`agencia-server`).
/// Dependencies point down only (docs/DECISIONS.md 1): Screens → TUI, API, Domain, Barcodes;
/// Terminal → TUI, CNcursesw; Server → API, Domain, Documents, Curl; Documents → Barcodes, CCairo.
/// The terminal client is single-threaded by design (one event loop; network results arrive as
/// messages), and curses is a C library of globals: its targets use the Swift 5 language mode
/// (DECISIONS 11).
let clientSettings: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "agencia",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "agencia", targets: ["agencia"]),
        .executable(name: "agencia-server", targets: ["agencia-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CZint", path: "Sources/CZint"),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo"),
        .systemLibrary(name: "CPoppler", path: "Sources/CPoppler", pkgConfig: "poppler-glib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg"),
        .target(name: "Domain"),
        .target(name: "Barcodes", dependencies: ["CZint"]),
        .target(name: "Documents", dependencies: ["CCairo", "CPoppler", "CPNG", "CTurboJPEG", "Barcodes", "Domain"]),
        .target(
            name: "API",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "Curl",
            dependencies: [
                "CCurl",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "Server",
            dependencies: [
                "API", "Domain", "Documents", "Curl",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .target(name: "TUI", dependencies: ["Domain"]),
        .target(name: "Terminal", dependencies: ["TUI", "CNcursesw"], swiftSettings: clientSettings),
        .target(
            name: "Screens",
            dependencies: [
                "TUI", "API", "Domain", "Barcodes",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Screens",
            swiftSettings: clientSettings
        ),
        .executableTarget(
            name: "agencia",
            dependencies: [
                "Screens", "Terminal", "Curl", "TUI", "API", "Domain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: clientSettings
        ),
        .executableTarget(
            name: "agencia-server",
            dependencies: [
                "Server", "API", "Domain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "agencia-bench",
            dependencies: [
                "API", "Curl",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Benchmarks/agencia-bench"
        ),
        .target(name: "PDFReading", path: "Tests/PDFReading"),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], resources: [.copy("Vectors")]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "API", "Domain", "Documents", "Screens", "PDFReading",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: clientSettings
        ),
        .testTarget(name: "TUITests", dependencies: ["TUI"]),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "Barcodes", "Domain", "PDFReading"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "TUI", "CNcursesw"], swiftSettings: clientSettings),
        .testTarget(
            name: "ScreensTests", dependencies: ["Screens", "TUI", "API", "Domain"], exclude: ["Snapshots", "Fixtures"],
            swiftSettings: clientSettings),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "Server", "API"], swiftSettings: clientSettings),
    ]
)
