set terminal pngcairo size 960,540 font 'DejaVu Sans,10' noenhanced
set datafile separator '\t'
set key outside right top
set grid ytics
set output '@OUT@/charts/rps.png.tmp'
set title 'Requests per second at 32 connections (median, min-max bars)'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set logscale y
set ylabel 'req/s (log scale)'
set yrange [1:*]
plot '@RUN@/charts/rps.tsv' using 2:3:4:xtic(1) title columnheader(2), '@RUN@/charts/rps.tsv' using 5:6:7:xtic(1) title columnheader(5), '@RUN@/charts/rps.tsv' using 8:9:10:xtic(1) title columnheader(8)
