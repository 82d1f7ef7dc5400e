import Crypto
import Foundation
import SQLKit

/// The certidão's QR: what it certifies, signed with the utility's Ed25519 key, so that anyone
/// with the published public key checks a printed certidão offline
/// (`agencia-server certidao verify`). One line of text:
///
///     AVCERT1|7KQ3-M2XD-9PRA-4HT1-G6WC|negativa|10002-1|M**** A******** ** S****|***.444.777-**|2026-11-23|2027-02-21|<assinatura>
///
/// The signature (base64url, no padding) covers every byte before the last `|`; the holder is
/// masked as on the public verification.
public enum CertidaoSeal {
    public static let prefix = "AVCERT1"

    public struct Fields: Equatable, Sendable {
        public var code: String
        public var kind: String
        public var matricula: String
        public var holder: String
        public var holderDocument: String
        public var issuedOn: String
        public var validUntil: String
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case malformed, badSignature
        public var description: String {
            switch self {
            case .malformed: return "Isto não é o conteúdo do QR de uma certidão (AVCERT1|…)."
            case .badSignature: return "Assinatura inválida: o texto foi alterado ou não foi emitido por esta companhia."
            }
        }
    }

    static func body(_ f: Fields) -> String {
        [prefix, f.code, f.kind, f.matricula, f.holder, f.holderDocument, f.issuedOn, f.validUntil].joined(separator: "|")
    }

    public static func seal(_ f: Fields, key: Curve25519.Signing.PrivateKey) throws -> String {
        let body = body(f)
        let signature = try key.signature(for: Data(body.utf8))
        return body + "|" + base64url(signature)
    }

    /// The fields of an intact seal, or why not.
    public static func verify(_ text: String, publicKey: Curve25519.Signing.PublicKey) -> Result<Fields, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bar = trimmed.lastIndex(of: "|") else { return .failure(.malformed) }
        let body = String(trimmed[..<bar])
        let parts = body.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 8, parts[0] == prefix, let signature = fromBase64url(String(trimmed[trimmed.index(after: bar)...])) else {
            return .failure(.malformed)
        }
        guard publicKey.isValidSignature(signature, for: Data(body.utf8)) else { return .failure(.badSignature) }
        return .success(
            Fields(
                code: parts[1], kind: parts[2], matricula: parts[3], holder: parts[4], holderDocument: parts[5], issuedOn: parts[6],
                validUntil: parts[7]))
    }

    public static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of canonical base64url only: the last symbol's unused bits must be zero, or two
    /// texts would carry one signature (a changed character that still verifies).
    public static func fromBase64url(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s), base64url(data) == text else { return nil }
        return data
    }

    /// The utility's signing key: the configured one (`certidaoSigningKey`, base64 of the 32-byte
    /// raw key), else one generated once and kept in the database, so that every instance signs
    /// with the same key.
    static func key(configured: String?, store: any Store) async throws -> Curve25519.Signing.PrivateKey {
        if let configured {
            guard let raw = Data(base64Encoded: configured), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                throw ConfigurationError.invalid("certidaoSigningKey", "(chave Ed25519 em base64, 32 bytes)")
            }
            return key
        }
        let fresh = Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
        let stored = try await store.write { db in
            try await db.raw(
                """
                INSERT INTO signing_keys (name, private_key) VALUES ('certidao', \(bind: fresh))
                ON CONFLICT (name) DO NOTHING
                """
            ).run()
            return try await db.raw("SELECT private_key FROM signing_keys WHERE name = 'certidao'").first()?
                .decode(column: "private_key", as: String.self)
        }
        guard let stored, let raw = Data(base64Encoded: stored) else { throw StorageError.corrupt("signing_keys") }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }
}
