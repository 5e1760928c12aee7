package index

// SplitSearchesAbove makes x split the matching of searches over more
// than n documents, so tests reach the split with few documents.
func SplitSearchesAbove(x *Index, n uint64) { x.splitAbove = n }
