import CallPopCore
import CallPopDirectories
import CallPopLookup
import CallPopTestSupport
import Foundation
import Testing

/// vCard and CSV files as a directory: a folder of exports, read again when a file changes.
@Suite(.serialized) struct FileLookupTests {
    @Test func aFolderOfExportsIsReadAndReadAgainWhenAFileChanges() async throws {
        let folder = try scratchDirectory("contacts")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("""
            BEGIN:VCARD\r
            VERSION:3.0\r
            FN:Anna Alster\r
            ORG:Alster GmbH\r
            TEL;TYPE=WORK:+49 (0)40 123 45-67\r
            URL:https://crm.example.com/contacts/anna\r
            END:VCARD\r

            """.utf8).write(to: URL(fileURLWithPath: folder + "/anna.vcf"))
        try Data("Name,Phone 1 - Value,Organization Name\nBernd Berg,040/7654321,Berg AG\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/google.csv"))
        try Data("not contacts".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        let directory = DirectorySettings(name: "exports", kind: .file(FileDirectorySettings(paths: [folder])), recordHosts: ["crm.example.com"])
        let client = testClient()
        defer { client.shutdown() }
        let service = lookupService([directory], client: client)
        await service.prepare()
        #expect(await service.lookup("0401234567").complete().contact == CallerContact(
            name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/contacts/anna", directory: "exports"))
        #expect(await service.lookup("+49 40 7654321").complete().contact?.organisation == "Berg AG")
        #expect(await service.lookup("+49 40 7654322").complete().contact == nil)
        // A new export replaces the file: the next lookup after the recheck interval sees it.
        try Data("Name,Phone 1 - Value\nBernd Neu,040/7654321\n".utf8).write(to: URL(fileURLWithPath: folder + "/google.csv"), options: .atomic)
        try await Task.sleep(for: .milliseconds(2100))
        #expect(await service.lookup("040 7654321").complete().contact?.name == "Bernd Neu")
        // A file added to the folder is read too.
        try Data("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Clara\r\nTEL:+49301112223\r\nEND:VCARD\r\n".utf8).write(to: URL(fileURLWithPath: folder + "/clara.vcf"))
        try await Task.sleep(for: .milliseconds(2100))
        #expect(await service.lookup("030 1112223").complete().contact?.name == "Clara")
        let report = await service.inspect("030 1112223")
        #expect(report.entries.first?.state == "3 contacts from 3 files")
    }

    @Test func aMissingFileFailsUntilItExists() async throws {
        let folder = try scratchDirectory("late-export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/contacts.vcf"
        let client = testClient()
        defer { client.shutdown() }
        let service = lookupService([DirectorySettings(name: "late", kind: .file(FileDirectorySettings(paths: [path])))], client: client)
        await service.prepare()
        let answer = await service.lookup("0401234567").complete().answers.first
        #expect(answer == .failed("\(path) does not exist"))
    }
}
