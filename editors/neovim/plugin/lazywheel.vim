" lazywheel: call require('lazywheel').setup{...} from your init.lua to enable it.
if exists('g:loaded_lazywheel') | finish | endif
let g:loaded_lazywheel = 1
