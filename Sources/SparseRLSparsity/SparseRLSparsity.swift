/// The SparseRLSparsity module. See docs/ARCHITECTURE.md.
public enum SparseRLSparsityModule {}
