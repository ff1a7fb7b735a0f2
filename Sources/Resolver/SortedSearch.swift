extension RandomAccessCollection {
    /// The first index whose element satisfies `isAtOrAbove`, or `endIndex`: a binary search,
    /// for a collection in which the elements that satisfy it all come after those that do not
    /// (an ascending list and `{ $0 >= bound }`).
    func partitioningIndex(where isAtOrAbove: (Element) throws -> Bool) rethrows -> Index {
        var (low, count) = (startIndex, self.count)
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try isAtOrAbove(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
