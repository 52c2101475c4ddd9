module github.com/ndchunk/ndchunk

go 1.26
