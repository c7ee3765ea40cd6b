import CallPopPlatform
import Synchronization
import Testing

@Suite struct IOThreadTests {
    struct LoopFailure: Error, Equatable {}

    /// A loop producing far more than the bridge holds, to a slow consumer: everything
    /// arrives in order, and the loop never holds more than its own batch.
    @Test func backpressureLosesNothing() async throws {
        let received = Mutex<[Int]>([])
        let ending: IOThread.Ending<LoopFailure> = try await IOThread.run(capacity: 8) { link in
            var pending: [Int] = []
            var next = 0
            while next < 1000 || !pending.isEmpty {
                while pending.count < 16 && next < 1000 { pending.append(next); next += 1 }
                if !link.deliver(&pending) {
                    if link.bridge.isClosed { return nil }
                    _ = Poller.wait([], wake: link.wake, until: nil)
                }
            }
            return nil
        } consume: { value in
            received.withLock { $0.append(value) }
            if value % 100 == 0 { await Task.yield() }
        }
        guard case .finished = ending else {
            Issue.record("expected the loop to finish, got \(ending)")
            return
        }
        #expect(received.withLock { $0 } == Array(0..<1000))
    }

    @Test func aFailureOfTheLoopIsReturned() async throws {
        let ending: IOThread.Ending<LoopFailure> = try await IOThread.run(capacity: 4) { _ in LoopFailure() } consume: { (_: Int) in }
        guard case .failed(let failure) = ending else {
            Issue.record("expected .failed, got \(ending)")
            return
        }
        #expect(failure == LoopFailure())
    }

    /// Cancelling asks the loop to stop and waits for its goodbye.
    @Test func cancellingWaitsForTheGoodbye() async throws {
        let saidGoodbye = Atomic<Bool>(false)
        let task = Task {
            try await IOThread.run(capacity: 4) { (link: IOLink<Int>) -> LoopFailure? in
                while !link.stopRequested { _ = Poller.wait([], wake: link.wake, until: nil) }
                // A goodbye that takes a moment, like a Logoff round trip.
                _ = Poller.wait([], wake: nil, until: .now + .milliseconds(100))
                saidGoodbye.store(true, ordering: .releasing)
                return nil
            } consume: { _ in }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let ending = try await task.value
        guard case .finished = ending else {
            Issue.record("expected .finished, got \(ending)")
            return
        }
        let said = saidGoodbye.load(ordering: .acquiring)
        #expect(said)
    }

    /// A loop that never ends its goodbye is abandoned after the bound, not waited for.
    @Test func aHangingGoodbyeIsAbandonedWithinTheBound() async throws {
        let task = Task {
            try await IOThread.run(capacity: 4, goodbyeBound: .milliseconds(200)) { (link: IOLink<Int>) -> LoopFailure? in
                while !link.stopRequested { _ = Poller.wait([], wake: link.wake, until: nil) }
                _ = Poller.wait([], wake: nil, until: .now + .seconds(3))
                return nil
            } consume: { _ in }
        }
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        task.cancel()
        let ending = try await task.value
        let took = ContinuousClock.now - start
        guard case .abandoned = ending else {
            Issue.record("expected .abandoned, got \(ending)")
            return
        }
        #expect(took < .seconds(1))
    }
}

@Suite struct OneShotTests {
    @Test func aValueSetBeforeTheWaitIsReturned() async {
        let shot = OneShot<Int>()
        shot.fulfil(7)
        shot.fulfil(8)
        #expect(await shot.value(within: .seconds(1)) == 7)
    }

    @Test func aValueSetDuringTheWaitIsReturned() async {
        let shot = OneShot<Int>()
        Task.detached {
            try? await Task.sleep(for: .milliseconds(30))
            shot.fulfil(3)
        }
        #expect(await shot.value(within: .seconds(5)) == 3)
    }

    @Test func noValueWithinTheBoundIsNil() async {
        let shot = OneShot<Int>()
        let start = ContinuousClock.now
        #expect(await shot.value(within: .milliseconds(50)) == nil)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        shot.fulfil(1)  // too late, and harmless
    }
}
