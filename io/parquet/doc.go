// Package parquet writes gridded arrays as a long table in Apache Parquet,
// the shape pandas, DuckDB, Spark and Arrow tools read: one row per grid
// point, one column per dimension (its coordinate values, or the index
// when the dimension has no coordinate variable) and one column per
// variable, rows in row-major order of the dimensions.
//
// Write streams: the variables are cut into blocks of whole rows along
// the leading axes, the engine computes the blocks of all variables
// together (one task per block, through ndarray.MapBlocks), and each block
// becomes one row group, written in order through a reorder buffer that
// holds only the blocks that finish ahead of their turn. Memory stays
// within the engine's budget whatever the table's size. It is written
// through github.com/apache/arrow-go's pqarrow writer under a temporary
// name and renamed into place when complete (dataset.CommitFile), so a
// failed or cancelled write leaves nothing behind.
//
// The package never reads Parquet and never holds a whole variable.
package parquet
