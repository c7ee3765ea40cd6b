private import CPlatform

/// The C heap (malloc, which Swift allocates from too): what is in use now. For showing that
/// memory stays flat across many operations, where resident memory is too coarse.
public enum HeapUsage {
    /// Bytes allocated and not yet freed.
    public static var bytesInUse: Int { Int(callpop_heap_in_use()) }
}
