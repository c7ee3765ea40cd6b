import CallPopPlatform
import Synchronization
import Testing

@Suite struct IOBridgeTests {
    @Test func deliversInOrderAndRefusesWhenFull() async {
        let bridge = IOBridge<Int>(capacity: 4)
        for value in 0..<4 { #expect(bridge.offer(value) == .accepted) }
        #expect(bridge.offer(4) == .full)
        #expect(bridge.count == 4)
        for expected in 0..<4 { #expect(await bridge.next() == expected) }
    }

    @Test func wakesARefusedProducerOnceHalfIsTaken() async {
        let wakes = Atomic<Int>(0)
        let bridge = IOBridge<Int>(capacity: 4) { wakes.add(1, ordering: .relaxed) }
        for value in 0..<4 { _ = bridge.offer(value) }
        #expect(bridge.offer(99) == .full)
        _ = await bridge.next()
        #expect(wakes.load(ordering: .relaxed) == 0, "3 of 4 still wait: no room yet")
        _ = await bridge.next()
        #expect(wakes.load(ordering: .relaxed) == 1, "half taken: the producer is woken")
        _ = await bridge.next()
        #expect(wakes.load(ordering: .relaxed) == 1, "woken once per refusal")
    }

    @Test func batchOfferKeepsWhatDidNotFit() {
        let bridge = IOBridge<Int>(capacity: 3)
        var pending = [1, 2, 3, 4, 5]
        #expect(!bridge.offer(contentsOf: &pending))
        #expect(pending == [4, 5])
    }

    @Test func batchTakeDrainsWhatWaitsAndWakesARefusedProducer() async {
        let wakes = Atomic<Int>(0)
        let bridge = IOBridge<Int>(capacity: 4) { wakes.add(1, ordering: .relaxed) }
        var pending = [0, 1, 2, 3, 4, 5]
        #expect(!bridge.offer(contentsOf: &pending), "two do not fit")
        #expect(pending == [4, 5])
        var batch = [99]
        #expect(await bridge.next(into: &batch))
        #expect(batch == [0, 1, 2, 3], "everything that waited, in order, and nothing else")
        #expect(bridge.count == 0)
        #expect(wakes.load(ordering: .relaxed) == 1, "the refused producer may go on")
        #expect(bridge.offer(contentsOf: &pending))
        bridge.finish()
        #expect(await bridge.next(into: &batch))
        #expect(batch == [4, 5])
        #expect(await bridge.next(into: &batch) == false, "finished and drained")
        #expect(batch.isEmpty)
    }

    @Test func batchTakeWaitsForTheFirstOffer() async {
        let bridge = IOBridge<String>(capacity: 8)
        let consumer = Task {
            var batch: [String] = []
            var batches: [[String]] = []
            while await bridge.next(into: &batch) { batches.append(batch) }
            return batches
        }
        try? await Task.sleep(for: .milliseconds(20))
        var pending = ["ring", "answer"]
        #expect(bridge.offer(contentsOf: &pending))
        try? await Task.sleep(for: .milliseconds(20))
        bridge.finish()
        #expect(await consumer.value == [["ring", "answer"]])
    }

    @Test func batchTakeOfACancelledConsumerEndsAtOnce() async {
        let bridge = IOBridge<Int>(capacity: 8)
        _ = bridge.offer(1)
        let consumer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            var batch: [Int] = []
            return (await bridge.next(into: &batch), batch)
        }
        let (more, batch) = await consumer.value
        #expect(!more && batch.isEmpty, "a cancelled consumer takes nothing, as with next()")
        #expect(await bridge.next() == nil, "and the bridge stays ended for it")
    }

    @Test func finishEndsAfterTheBufferIsDrained() async {
        let bridge = IOBridge<Int>(capacity: 8)
        _ = bridge.offer(1)
        _ = bridge.offer(2)
        bridge.finish()
        #expect(bridge.offer(3) == .closed)
        #expect(await bridge.next() == 1)
        #expect(await bridge.next() == 2)
        #expect(await bridge.next() == nil)
        #expect(await bridge.next() == nil)
    }

    @Test func closeDropsTheBufferAndRefusesOffers() async {
        let bridge = IOBridge<Int>(capacity: 8)
        _ = bridge.offer(1)
        bridge.close()
        #expect(bridge.offer(2) == .closed)
        #expect(bridge.isClosed)
        #expect(await bridge.next() == nil)
    }

    @Test func aWaitingConsumerIsWokenByAnOffer() async {
        let bridge = IOBridge<String>(capacity: 1)
        let consumer = Task { await bridge.next() }
        try? await Task.sleep(for: .milliseconds(20))
        #expect(bridge.offer("call") == .accepted)
        #expect(await consumer.value == "call")
    }

    @Test func cancellingAWaitingConsumerEndsItsWait() async {
        let bridge = IOBridge<Int>(capacity: 1)
        let consumer = Task { await bridge.next() }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await consumer.value == nil)
        // A consumer cancelled before it waits returns at once as well.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await bridge.next()
        }
        #expect(await early.value == nil)
    }

    /// A producer thread racing a consumer (one element or a batch at a time) that is cancelled
    /// at random points: every wait ends exactly once (a double resume or a leaked
    /// continuation would trap or hang).
    @Test func raceBetweenOffersFinishAndCancellation() async {
        for round in 0..<200 {
            let bridge = IOBridge<Int>(capacity: 2)
            let consumer = Task {
                var received = 0
                if round % 2 == 0 {
                    while await bridge.next() != nil { received += 1 }
                } else {
                    var batch: [Int] = []
                    while await bridge.next(into: &batch) { received += batch.count }
                }
                return received
            }
            let producer = Task.detached {
                for value in 0..<(round % 7) where bridge.offer(value) == .full { await Task.yield() }
                bridge.finish()
            }
            if round % 3 == 0 { consumer.cancel() }
            await producer.value
            let received = await consumer.value
            #expect(received <= round % 7)
        }
    }
}
