import CallPopPlatform
import Glibc
import Testing

@Suite struct PollerTests {
    @Test func aDeadlineIsNeverWokenEarly() {
        let start = ContinuousClock.now
        let result = Poller.wait([], wake: nil, until: start + .milliseconds(30))
        #expect(ContinuousClock.now - start >= .milliseconds(30))
        #expect(!result.woken)
    }

    @Test func aWakeUpEndsTheWaitAndIsDrained() throws {
        let wake = try WakePipe()
        wake.wake()
        wake.wake()
        #expect(Poller.wait([], wake: wake, until: .now + .seconds(5)).woken)
        // Drained: the next wait sleeps until its deadline.
        #expect(!Poller.wait([], wake: wake, until: .now + .milliseconds(10)).woken)
    }

    @Test func readinessIsReportedPerDescriptorInOrder() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var byte: UInt8 = 1
        _ = write(ends[1], &byte, 1)
        let result = Poller.wait([(-1, .readable), (ends[0], .readable), (ends[1], .writable)], wake: nil, until: .now)
        #expect(result.ready == [[], .readable, .writable])
    }

    @Test func aHangUpCountsAsReadable() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        close(ends[1])
        defer { close(ends[0]) }
        #expect(Poller.wait([(ends[0], .readable)], wake: nil, until: .now + .seconds(1)).ready[0] == .readable)
    }
}

@Suite struct SignalWatcherTests {
    @Test func aSignalArrivesAsAValue() async throws {
        let watcher = try SignalWatcher([SIGUSR2])
        kill(getpid(), SIGUSR2)
        #expect(await watcher.next() == SIGUSR2)
        watcher.stop()
        #expect(await watcher.next() == nil)
    }
}
