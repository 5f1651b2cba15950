## Octave half of the real-fixture generator (called by make_real_fixtures.py, never by CI):
##   octave-cli octave_fixtures.m SIGDIR OUTDIR
## Reads the shared float32 signals, runs Octave's own `specgram` (octave-signal) and `stft` (core),
## and writes their outputs with fwrite, column-major, as an Octave user would. The Python side checks
## every file against an independent numpy STFT before it becomes a fixture.
pkg load signal
args = argv ();
sigdir = args{1};
outdir = args{2};

function x = readsig (path)
  fid = fopen (path, 'r');
  x = fread (fid, Inf, 'float32=>double');
  fclose (fid);
endfunction

function writeraw (path, M, prec)
  fid = fopen (path, 'w');
  fwrite (fid, M, prec);   # column-major: a (bins, frames) matrix is written frame after frame
  fclose (fid);
endfunction

## 1. specgram with a symmetric Hamming window of 256, overlap 192 (hop 64), on the ALSA speech at 8 kHz:
##    complex output, |S| and angle(S) in float32.
x = readsig (fullfile (sigdir, 'alsa8.f32'));
S = specgram (x, 256, 8000, hamming (256), 192);
writeraw (fullfile (outdir, 'oct-specgram-hamming.mag'), abs (S), 'float32');
writeraw (fullfile (outdir, 'oct-specgram-hamming.phase'), angle (S), 'float32');

## 2. specgram, nfft 512 with a 400-sample Hamming window (zero-padded at the end), overlap 300: the
##    dB image it plots (20*log10(abs(S))), saved alone in float64. Magnitude only.
x = readsig (fullfile (sigdir, 'chord8.f32'));
S = specgram (x, 512, 8000, hamming (400), 300);
writeraw (fullfile (outdir, 'oct-specgram-db.mag'), 20 * log10 (abs (S)), 'float64');

## 3. core stft: window 200 (Hamming), increment 80, 128 coefficients (fft size 256): magnitudes only.
x = readsig (fullfile (sigdir, 'cut16.f32'));
Y = stft (x, 200, 80, 128, 'hamming');
writeraw (fullfile (outdir, 'oct-stft-hamming.mag'), Y, 'float32');

## 4. the specgram defaults: window hanning(256), overlap 128 (Octave's hanning is the symmetric Hann).
x = readsig (fullfile (sigdir, 'alsa8.f32'));
S = specgram (x, 256, 8000);
writeraw (fullfile (outdir, 'oct-specgram-default.mag'), abs (S), 'float32');
writeraw (fullfile (outdir, 'oct-specgram-default.phase'), angle (S), 'float32');

## 5. 512/256 with hanning(512) on the espeak speech, whose first 702 samples are digital silence: frame 0
##    holds nothing and frame 1 the onset (an unpadded start that silence hides).
x = readsig (fullfile (sigdir, 'speech16.f32'));
S = specgram (x(1:4000), 512, 16000, hanning (512), 256);
writeraw (fullfile (outdir, 'oct-specgram-silent.mag'), abs (S), 'float32');
writeraw (fullfile (outdir, 'oct-specgram-silent.phase'), angle (S), 'float32');
