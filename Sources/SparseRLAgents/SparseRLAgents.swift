/// The SparseRLAgents module. See docs/ARCHITECTURE.md.
public enum SparseRLAgentsModule {}
