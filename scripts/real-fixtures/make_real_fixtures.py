"""STFT fixtures made by the real programs (issue #11 section 1), each with a checked truth config.

Run by hand (never in CI), from the repository root:
    /usr/bin/python3 scripts/real-fixtures/make_real_fixtures.py
Needs Debian's python3-torch python3-aubio python3-scipy python3-matplotlib python3-mne, octave +
octave-signal (octave-cli), sox and espeak-ng; alsa-utils for /usr/share/sounds/alsa.

Every fixture is written by the tool itself (torch.stft, aubio.pvoc, scipy.signal.stft/spectrogram,
matplotlib.mlab.specgram, mne.time_frequency.stft, Octave specgram/stft, plain numpy block FFTs), then its truth config is
checked: the files are decoded as the truth's storage fields say and compared with an independent
numpy STFT computed from the truth config and the reference signal. A truth that fails the check is
not written (the tool's convention was described wrongly). The check's errors are printed per fixture
and kept in the manifest test/fixtures/real/fixtures.json.
"""
import json, os, shutil, subprocess, sys, tempfile
import numpy as np
import scipy.io.wavfile as wavfile
from scipy import signal as sps

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# REAL_FIXTURES_OUT=/some/dir writes the fixture folders and their manifest there instead (held-out sets that must
# not enter the committed, size-capped folder); the shared signals always stay in (and are read from) the repository.
DEFAULT_OUT = os.path.join(ROOT, 'test', 'fixtures', 'real')
OUT = os.path.abspath(os.environ.get('REAL_FIXTURES_OUT') or DEFAULT_OUT)
SIGDIR = os.path.join(DEFAULT_OUT, 'signals')
HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-5
# Steps that write held-out sets for a one-off measurement: run only when named, never into the committed folder.
MEASURE_ONLY = {'magonly4'}

manifest = []
refused = []


# ---------------------------------------------------------------- signals (shared between fixtures)
def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_wav(path):
    rate, x = wavfile.read(path)
    if x.dtype.kind == 'i':
        x = x / float(np.iinfo(x.dtype).max + 1)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    return rate, x


def make_signals(tmp):
    """The source clips, as float32 (what every tool is given), keyed by name -> (rate, x, description)."""
    sigs = {}
    # espeak-ng speech, resampled to 16 kHz by sox, whole: leading and trailing silence kept.
    sh('espeak-ng', '-w', f'{tmp}/two.wav', 'Two spoons')
    # -D and float output: sox dithers by default when it writes 16 bits, which made the clips differ run to run.
    sh('sox', '-D', f'{tmp}/two.wav', '-e', 'floating-point', '-b', '32', f'{tmp}/two16.wav', 'rate', '16000')
    r, x = read_wav(f'{tmp}/two16.wav')
    sigs['speech16'] = (r, x[:16000], 'espeak-ng "Two spoons", sox-resampled 22050 -> 16000 Hz, first 1.0 s (silence at both ends)')
    # the same speech cut mid-word: no silence at the start, ends mid-sound.
    i0 = int(np.argmax(np.abs(x) > 0.1 * np.abs(x).max())) + 1200
    sigs['cut16'] = (r, x[i0:i0 + 9600], f'espeak-ng "Two spoons" at 16 kHz from sample {i0} (mid-sound), 0.6 s: no silence at the start')
    # its twin as a plain `sox in.wav -r 16000 out.wav` gives it: 16-bit output with sox's default dither
    # (made repeatable with -R). The two differ by about one 16-bit LSB; fixtures on both tell a signal
    # effect from a format effect.
    sh('sox', '-R', f'{tmp}/two.wav', '-r', '16000', f'{tmp}/two16d.wav')
    r, xd = read_wav(f'{tmp}/two16d.wav')
    sigs['cut16d'] = (r, xd[i0:i0 + 9600], f'as cut16 but resampled to 16-bit with sox default dither (sox -R two.wav -r 16000 out.wav), from sample {i0}')
    # ALSA test speech (alsa-utils), 48 kHz -> 8 kHz, first 1.0 s.
    sh('sox', '-D', '/usr/share/sounds/alsa/Front_Center.wav', '-e', 'floating-point', '-b', '32', '-c', '1', f'{tmp}/fc8.wav', 'rate', '8000')
    r, x = read_wav(f'{tmp}/fc8.wav')
    sigs['alsa8'] = (r, x[:8000], 'alsa-utils /usr/share/sounds/alsa/Front_Center.wav, sox 48 -> 8 kHz, first 1.0 s')
    # a plucked C major chord from sox synth at 8 kHz (three channels mixed to one here).
    sh('sox', '-D', '-n', '-r', '8000', '-c', '3', '-e', 'floating-point', '-b', '32', f'{tmp}/chord.wav', 'synth', '0.8', 'pluck', 'C4', 'pluck', 'E4', 'pluck', 'G4')
    r, x = read_wav(f'{tmp}/chord.wav')
    sigs['chord8'] = (r, 0.9 * x / np.abs(x).max(), 'sox synth 0.8 pluck C4 E4 G4 at 8 kHz, channels averaged, peak 0.9')
    os.makedirs(SIGDIR, exist_ok=True)
    out = {}
    for name, (rate, x, desc) in sigs.items():
        x32 = np.asarray(x, dtype='<f4')
        x32.tofile(os.path.join(SIGDIR, f'{name}.f32'))
        out[name] = (rate, x32, desc)
    path = os.path.join(SIGDIR, 'signals.json')
    # Entries other steps add (stereo8, by the kinds step) stay when only some steps run.
    known = json.load(open(path)) if os.path.exists(path) else {}
    known.update({k: {'file': f'{k}.f32', 'dtype': 'float32', 'endian': 'little', 'sampleRate': v[0], 'length': len(v[1]), 'source': v[2]}
                  for k, v in out.items()})
    with open(path, 'w') as fh:
        json.dump(known, fh, indent=1)
    return out


# ---------------------------------------------------------------- truth configs and storage
def raw(dtype, endian='little'):
    return {'format': 'raw', 'dtype': dtype, 'endian': endian, 'headerBytes': 0, 'variable': None}


def npy_storage(path):
    with open(path, 'rb') as fh:
        major = fh.read(8)[6]
        n = int.from_bytes(fh.read(2 if major == 1 else 4), 'little')
        header = fh.read(n).decode('latin1')
    d = eval(header)  # the npy header is a Python literal written by numpy itself
    dt = np.dtype(d['descr'])
    endian = 'big' if dt.byteorder == '>' else 'little'
    return {'format': 'npy', 'dtype': dt.name if dt.kind != 'c' else dt.name, 'endian': endian,
            'headerBytes': 10 + n if major == 1 else 12 + n, 'variable': None}


def truth(**kw):
    base = dict(magnitudeFile=None, phaseFile=None, layout='bin-major', channels=1, frames=None, bins=None, binOrder='ascending',
                nfft=None, sided='one', hop=None, winLength=None, windowPlacement='centred', window='hann', windowSymmetry='periodic',
                center=False, padMode='none', firstFrameStart=0, detrend='none', phaseReference='frame-start', phaseSign='+',
                magnitudeScale='linear', dbFloor=None, gain=1, phaseUnit='radians', sampleRate=None, originalLength=None)
    for k in kw:
        if k not in base:
            raise KeyError(k)
    base.update(kw)
    if base['winLength'] is None:
        base['winLength'] = base['nfft']
    return base


PSD_EDGE_NOTE = 'one-sided psd doubles every bin but DC and Nyquist (see scipy-spectrogram-psd)'
PSD_EDGE_META = {'knownDeviation': 'onesided2X: bins 0 and nfft/2 at gain/sqrt(2)'}


def psd_edge_gain(bins):
    """A one-sided psd (scipy spectrogram, mlab specgram) doubles every bin but DC and Nyquist: those two rows sit at
    gain/sqrt(2), which no config field says; the check applies it (edge_bin_gain)."""
    eb = np.ones(bins)
    eb[0] = eb[-1] = np.sqrt(0.5)
    return eb


def psd_gain(rate, w):
    """mode='psd' stores 2|X|^2 / (fs * sum w^2) in the one-sided bins: decoded as power, a gain sqrt(2 / (fs * sum w^2))."""
    return float(np.sqrt(2 / (rate * (w * w).sum())))


# ---------------------------------------------------------------- the independent check
def window_array(t):
    name, wl, periodic = t['window'], t['winLength'], t['windowSymmetry'] == 'periodic'
    if name == 'rectangular':
        w = np.ones(wl)
    elif name in ('hann', 'hamming', 'blackman'):
        w = sps.get_window(name, wl, fftbins=periodic)
    elif name == 'sqrt-hann':
        w = np.sqrt(sps.get_window('hann', wl, fftbins=periodic))
    elif name == 'cosine':
        w = sps.get_window('cosine', wl, fftbins=periodic)
    elif name.startswith('kaiser-'):
        w = sps.get_window(('kaiser', float(name[7:])), wl, fftbins=periodic)
    elif name.startswith('tukey-'):
        w = sps.get_window(('tukey', float(name[6:])), wl, fftbins=periodic)
    elif name.startswith('gaussian-'):
        w = sps.get_window(('gaussian', float(name[9:])), wl, fftbins=periodic)
    else:
        raise ValueError(f'window {name} has no independent definition')
    return w


NP_PAD = {'reflect': ('reflect', {}), 'edge': ('edge', {}), 'odd': ('reflect', {'reflect_type': 'odd'}), 'wrap': ('wrap', {})}


def independent_stft(x, t, frames, window=None):
    """(bins, frames) complex STFT from the truth config alone (and the window behind window 'estimated'), as stored before magnitude/phase coding."""
    nfft, hop, wl = t['nfft'], t['hop'], t['winLength']
    w = window_array(t) if window is None else window
    off = (nfft - wl) // 2 if t['windowPlacement'] == 'centred' else 0
    x = np.asarray(x, dtype=np.float64)
    L = len(x)
    ffs = t['firstFrameStart']
    lo = min(ffs, -nfft)
    hi = max(L + nfft, ffs + (frames - 1) * hop + nfft)
    ext = np.zeros(hi - lo)
    if t['center'] and t['padMode'] in NP_PAD:
        # The vocabulary's extensions are numpy.pad's (odd: its reflect_type='odd'), by nfft/2 at each end.
        p = nfft // 2
        mode, kw = NP_PAD[t['padMode']]
        xr = np.pad(x, p, mode=mode, **kw)
        ext[-p - lo:-p - lo + len(xr)] = xr
    else:
        ext[-lo:-lo + L] = x
    X = np.zeros((nfft, frames), dtype=np.complex128)
    for m in range(frames):
        s = ffs + m * hop - lo
        seg = ext[s + off:s + off + wl].copy()
        if t['detrend'] == 'constant':
            seg = seg - seg.mean()
        elif t['detrend'] == 'linear':
            seg = sps.detrend(seg, type='linear')
        frame = np.zeros(nfft)
        frame[off:off + wl] = seg * w
        if t['phaseReference'] == 'window-centre':
            frame = np.roll(frame, -(off + wl // 2))
        F = np.fft.fft(frame)
        if t['phaseReference'] == 'absolute-time':
            F = F * np.exp(-2j * np.pi * np.arange(nfft) * (m * hop) / nfft)
        X[:, m] = F
    sided = t['sided']
    if sided == 'one':
        X = X[:nfft // 2 + 1]
    elif sided == 'one-no-nyquist':
        X = X[:nfft // 2]
    order = t.get('binOrder', 'ascending')
    if order == 'descending':
        X = X[::-1]
    elif order == 'fftshift':
        X = np.fft.fftshift(X, axes=0)
    elif order == 'centred':
        X = X[np.arange(-((nfft - 1) // 2), nfft // 2 + 1) % nfft] if nfft % 2 == 0 else np.fft.fftshift(X, axes=0)
    X = X * t['gain']
    if t['phaseSign'] == '-':
        X = np.conj(X)
    return X


LABELS = {}  # fixture file path -> (header rows, label columns) of a labelled CSV (no truth field says it yet)


def load_stored(path, st, t):
    """The stored values as a (channels, bins, frames) array, read as the truth's storage says."""
    if st['format'] == 'npy':
        a = np.load(path)
    elif st['format'] == 'pt':
        import torch
        a = torch.load(path).numpy()
    elif st['format'] == 'json':
        with open(path) as fh:
            a = np.array(json.load(fh), dtype=np.float64)
    elif st['format'] == 'csv':
        rows, cols = LABELS.get(path, (0, 0))
        a = np.loadtxt(path, delimiter=',', skiprows=rows, ndmin=2)[:, cols:]
    elif st['format'] == 'raw':
        dt = np.dtype(st['dtype']).newbyteorder('<' if st['endian'] == 'little' else '>')
        a = np.fromfile(path, dtype=dt, offset=st['headerBytes'])
    else:
        raise ValueError(st['format'])
    a = np.asarray(a)
    if st.get('dtype', '').startswith('complex') and a.dtype.kind == 'f' and a.ndim >= 3 and a.shape[-1] == 2:
        a = a[..., 0] + 1j * a[..., 1]  # (re, im) on a last axis of 2: torch's return_complex=False / view_as_real
    F, B, C = t['frames'], t['bins'], t.get('channels', 1)
    if st['format'] in ('raw', 'csv'):
        a = a.reshape((C, F, B) if t['layout'] == 'frame-major' else (C, B, F))
    elif a.ndim == 2:
        a = a[None]
    if t['layout'] == 'frame-major':
        a = np.swapaxes(a, 1, 2)
    if a.shape != (C, B, F):
        raise ValueError(f'{path}: shape {a.shape} does not fit the truth ({C}, {B}, {F})')
    return a


def decode_mag(v, scale):
    return {'linear': lambda v: v, 'power': np.sqrt, 'db': lambda v: 10 ** (v / 20), 'db10': lambda v: 10 ** (v / 10),
            'ln': np.exp, 'log10': lambda v: 10 ** v, 'log1p': np.expm1}[scale](v)


def phase_factor(unit):
    return {'radians': 1.0, 'degrees': np.pi / 180, 'cycles': 2 * np.pi}.get(unit) or 2 * np.pi / float(unit[7:])


def check(name, t, mag_path, phase_path, x, edge_bin_gain=None, sample_gain=None, window=None):
    """Errors of the truth against the files: mag (relative L2), complex (relative L2), phase (max on strong bins)."""
    if sample_gain is not None:  # a documented per-sample deviation the vocabulary cannot express
        x = np.asarray(x, dtype=np.float64) * sample_gain
    Xall = [independent_stft(xc, t, t['frames'], window) for xc in (x if np.ndim(x) == 2 else [x])]
    Xe = np.stack(Xall)
    if edge_bin_gain is not None:  # a documented per-bin deviation the vocabulary cannot express
        Xe = Xe * edge_bin_gain[None, :, None]
    A = np.abs(Xe)
    stored = load_stored(mag_path, t['magnitudeFile'], t)
    err = {}
    if np.iscomplexobj(stored):  # one file holds the complex STFT
        err['complex'] = float(np.linalg.norm(stored - Xe) / np.linalg.norm(Xe))
        return err['complex'] <= TOL, err
    stored = stored.astype(np.float64)
    if t['magnitudeFile']['dtype'].startswith('int') and t['magnitudeScale'] == 'db':
        with np.errstate(divide='ignore'):
            want = 20 * np.log10(A)
        # float32 tools leave bins below about -100 dB of the peak at round-off: judge the rounding above -80 dB
        strong = A > 1e-4 * A.max()
        d = np.abs(stored - want)[strong]
        err['dbQuantisationMax'] = float(d.max())  # <= 0.5 for np.round
        ok = d.max() <= 0.5 + 1e-3
        m = decode_mag(stored, 'db')
        err['mag'] = float(np.linalg.norm(m - A) / np.linalg.norm(A))
    else:
        m = decode_mag(stored, t['magnitudeScale'])
        err['mag'] = float(np.linalg.norm(m - A) / np.linalg.norm(A))
        ok = err['mag'] <= TOL
    if phase_path is not None:
        ph = load_stored(phase_path, t['phaseFile'], t).astype(np.float64) * phase_factor(t['phaseUnit'])
        strong = A > 1e-2 * A.max()
        dphi = np.abs(np.exp(1j * ph) - np.exp(1j * np.angle(Xe)))
        err['phaseMaxStrong'] = float(dphi[strong].max())
        Z = A * np.exp(1j * ph)
        err['complex'] = float(np.linalg.norm(Z - Xe) / np.linalg.norm(Xe))
        ok = ok and err['complex'] <= TOL and err['phaseMaxStrong'] <= 1e-3
    return ok, err


def size_of(*paths):
    return sum(os.path.getsize(p) for p in paths if p)


def emit(name, t, files, x, sig, producer, call, lossless, notes='', edge_bin_gain=None, issue=11, extra_meta=None, sample_gain=None, window=None):
    """Check the truth against the files just written in the fixture folder; keep the fixture only if it passes."""
    d = os.path.join(OUT, name)
    name = os.path.basename(name)
    mag, phase = files
    magp = os.path.join(d, mag)
    php = os.path.join(d, phase) if phase else None
    if t['magnitudeFile']['format'] == 'npy':
        t['magnitudeFile'] = npy_storage(magp)
    if php and t['phaseFile']['format'] == 'npy':
        t['phaseFile'] = npy_storage(php)
    ok, err = check(name, t, magp, php, x, edge_bin_gain, sample_gain, window)
    line = ' '.join(f'{k} {v:.2e}' if k != 'dbQuantisationMax' else f'{k} {v:.3f}' for k, v in err.items())
    print(f"{'ok     ' if ok else 'REFUSED'} {name:34s} {line}")
    if not ok:
        refused.append({'name': name, 'producer': producer, 'check': err, 'notes': notes})
        shutil.rmtree(d)
        return
    with open(os.path.join(d, 'truth.json'), 'w') as fh:
        json.dump(t, fh, indent=1)
    entry = {'name': name, 'issue': issue, 'dir': os.path.relpath(d, OUT), 'magnitude': mag, 'phase': phase, 'truth': 'truth.json',
             'signal': f'signals/{sig}.f32' if OUT == DEFAULT_OUT else os.path.join(SIGDIR, f'{sig}.f32'), 'signalLength': int(np.shape(x)[-1]), 'producer': producer, 'call': call, 'lossless': lossless, 'hasPhase': phase is not None,
             'shape': ([t['channels']] if t['channels'] > 1 else []) + [t['bins'], t['frames']], 'bytes': size_of(magp, php), 'check': err}
    orders = {k: bool(np.load(pth, mmap_mode='r').flags.f_contiguous and not np.load(pth, mmap_mode='r').flags.c_contiguous)
              for k, pth in (('magnitude', magp), ('phase', php)) if pth and pth.endswith('.npy')}
    if orders:
        # np.save of a torch/scipy output keeps its memory order: torch.stft(...).numpy() is a transposed view, so
        # np.save(np.abs(Z)) writes fortran_order=True. DESIGN §1: the layout still names the axes as the maker sees them.
        entry['npyFortranOrder'] = orders
    if notes:
        entry['notes'] = notes
    if extra_meta:
        entry.update(extra_meta)
    manifest.append(entry)


def folder(name):
    d = os.path.join(OUT, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    return d


def save_pair(d, Z, kind, mag_name='mag', phase_name='phase', layout='bin-major', dtype='<f4', mag=None):
    """Write |Z| and angle(Z) of a (bins, frames) array: kind 'raw' (tofile, transposed first for frame-major) or 'npy'."""
    M = np.abs(Z) if mag is None else mag
    P = np.angle(Z)
    if layout == 'frame-major':
        M, P = M.T, P.T
    if kind == 'raw':
        np.ascontiguousarray(M, dtype=dtype).tofile(os.path.join(d, mag_name + '.bin'))
        np.ascontiguousarray(P, dtype=dtype).tofile(os.path.join(d, phase_name + '.bin'))
        return mag_name + '.bin', phase_name + '.bin'
    np.save(os.path.join(d, mag_name + '.npy'), np.asarray(M, dtype=dtype))
    np.save(os.path.join(d, phase_name + '.npy'), np.asarray(P, dtype=dtype))
    return mag_name + '.npy', phase_name + '.npy'


# ---------------------------------------------------------------- producers
def torch_fixtures(S):
    import torch
    cases = [
        # name, signal, n_fft, hop, win_length, center, pad_mode, normalized, onesided, dtype, window, storage, layout
        ('torch-400-160-reflect-f32-binmajor', 'speech16', 400, 160, 400, True, 'reflect', False, True, torch.float32, 'hann', 'raw', 'bin-major'),
        ('torch-400-160-reflect-f64-framemajor', 'cut16:4800', 400, 160, 400, True, 'reflect', False, True, torch.float64, 'hann', 'raw', 'frame-major'),
        ('torch-400-160-nocenter-normalized-npy', 'speech16', 400, 160, 400, False, 'reflect', True, True, torch.float32, 'hann', 'npy', 'bin-major'),
        ('torch-1024-256-win800-constant-f32', 'cut16', 1024, 256, 800, True, 'constant', False, True, torch.float32, 'hann', 'raw', 'frame-major'),
        ('torch-1024-256-win800-constant-f32-dithered', 'cut16d', 1024, 256, 800, True, 'constant', False, True, torch.float32, 'hann', 'raw', 'frame-major'),
        ('torch-1024-256-twosided-npy', 'alsa8:4000', 1024, 256, 1024, True, 'reflect', False, False, torch.float32, 'hann', 'npy', 'bin-major'),
        ('torch-400-160-window-none-f64-npy', 'cut16:4800', 400, 160, 400, True, 'reflect', False, True, torch.float64, None, 'npy', 'frame-major'),
    ]
    for name, sig, n_fft, hop, wl, center, pad, normalized, onesided, dt, win, kind, layout in cases:
        rate, x, _ = S[sig.split(':')[0]]
        if ':' in sig:
            x = x[:int(sig.split(':')[1])]
        xt = torch.from_numpy(x.astype(np.float32)).to(dt)
        window = torch.hann_window(wl, dtype=dt) if win == 'hann' else None
        Z = torch.stft(xt, n_fft=n_fft, hop_length=hop, win_length=wl, window=window, center=center, pad_mode=pad,
                       normalized=normalized, onesided=onesided, return_complex=True).numpy()
        d = folder(name)
        npdt = '<f4' if dt == torch.float32 else '<f8'
        files = save_pair(d, Z, kind, layout=layout, dtype=npdt)
        st = raw('float32' if dt == torch.float32 else 'float64') if kind == 'raw' else {'format': 'npy'}
        t = truth(magnitudeFile=st, phaseFile=dict(st), layout=layout, frames=Z.shape[1], bins=Z.shape[0], nfft=n_fft,
                  sided='one' if onesided else 'two', hop=hop, winLength=wl, window='hann' if win else 'rectangular',
                  windowSymmetry='periodic', center=center, padMode=('reflect' if pad == 'reflect' else 'zeros') if center else 'none',
                  firstFrameStart=-(n_fft // 2) if center else 0, gain=float(n_fft ** -0.5) if normalized else 1,
                  sampleRate=rate, originalLength=len(x) if center else None)
        call = (f"torch.stft(x, n_fft={n_fft}, hop_length={hop}, win_length={wl}, window={'torch.hann_window(%d)' % wl if win else 'None'}, "
                f"center={center}, pad_mode='{pad}', normalized={normalized}, onesided={onesided}, return_complex=True) on {dt}; "
                + ('abs/angle .numpy().tofile()' if kind == 'raw' else 'np.save(abs), np.save(angle)') + (' of the transpose' if layout == 'frame-major' else ''))
        emit(name, t, files, x, sig.split(':')[0], 'torch.stft ' + torch.__version__, call, True)


def pad_fixtures(S):
    """Centred frames over pads that extend the signal rather than zero or mirror it: torch's replicate and circular,
    scipy's odd boundary (its 'constant' is torch's replicate; 'even' is reflect). 256/64 on the first 1500 samples of
    the clip that starts with no silence, so every pad holds signal; float32 (bins, frames) tofile, ~25 kB each."""
    import torch
    import scipy
    rate, x, _ = S['cut16']
    x = x[:1500]
    w = sps.get_window('hann', 256)
    for name, mode, pad in (('torch-256-64-replicate-f32', 'replicate', 'edge'), ('torch-256-64-circular-f32', 'circular', 'wrap')):
        Z = torch.stft(torch.from_numpy(x.astype(np.float32)), n_fft=256, hop_length=64, window=torch.hann_window(256), center=True,
                       pad_mode=mode, return_complex=True).numpy()
        d = folder(name)
        files = save_pair(d, Z, 'raw')
        t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=256, hop=64,
                  center=True, padMode=pad, firstFrameStart=-128, sampleRate=rate, originalLength=len(x))
        emit(name, t, files, x, 'cut16', 'torch.stft ' + torch.__version__,
             f"torch.stft(x[:1500], n_fft=256, hop_length=64, window=torch.hann_window(256), center=True, pad_mode='{mode}', "
             "return_complex=True); abs/angle .numpy().tofile() (bins, frames)", True)
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, nperseg=256, noverlap=192, boundary='odd')
    d = folder('scipy-stft-256-64-odd')
    files = save_pair(d, Z, 'raw')
    # The padded end (zeros after the odd extension) leaves the length to the start: every covered sample is kept.
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=256, hop=64,
              center=True, padMode='odd', firstFrameStart=-128, gain=float(1 / w.sum()), sampleRate=rate, originalLength=len(x))
    emit('scipy-stft-256-64-odd', t, files, x, 'cut16', 'scipy.signal.stft ' + scipy.__version__,
         "scipy.signal.stft(x[:1500], fs, nperseg=256, noverlap=192, boundary='odd'); abs/angle float32 tofile (bins, frames)", True)


def block_fixtures(S):
    """torch.stft with hop_length = n_fft: centred frames that do not overlap (DESIGN 4.12 and 4.13 at once), the
    spectrogram a user asks for when they want "one frame per block". 256 on the first 4608 samples of the clip
    that starts with no silence (19 frames, ~20 kB): its reflect pad is signal, so the start can be read."""
    import torch
    rate, x, _ = S['cut16']
    x = x[:4608]
    Z = torch.stft(torch.from_numpy(x.astype(np.float32)), n_fft=256, hop_length=256, window=torch.hann_window(256), center=True,
                   pad_mode='reflect', return_complex=True).numpy()
    name = 'torch-256-256-blocks-reflect-f32'
    d = folder(name)
    files = save_pair(d, Z, 'raw')
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=256, hop=256,
              center=True, padMode='reflect', firstFrameStart=-128, sampleRate=rate, originalLength=len(x))
    emit(name, t, files, x, 'cut16', 'torch.stft ' + torch.__version__,
         "torch.stft(x[:4608], n_fft=256, hop_length=256, window=torch.hann_window(256), center=True, pad_mode='reflect', "
         "return_complex=True); abs/angle .numpy().tofile() (bins, frames)", False,
         extra_meta={'lossyBecause': "torch's periodic Hann is exactly 0 at its first sample: with frames that do not overlap, one sample "
                                     "in 256 is in no frame's weight (export interpolates it)"})


def start_fixtures(S):
    """torch.stft with center=False on the clip cut mid-word: frame 0 starts at the signal, which grows louder over
    its first few hundred samples (0.31 of the RMS after the usual pads, against 1e-8 for a real pad in float32), and
    its first 3200 samples end in a quiet stretch (3e-3 of the RMS) that is not a pad either. Hann 512/128 (22 frames, ~45 kB)."""
    import torch
    rate, x, _ = S['cut16']
    x = x[:3200]
    Z = torch.stft(torch.from_numpy(x.astype(np.float32)), n_fft=512, hop_length=128, window=torch.hann_window(512), center=False,
                   return_complex=True).numpy()
    name = 'torch-512-128-nocenter-midword-f32'
    d = folder(name)
    files = save_pair(d, Z, 'raw')
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=512, hop=128,
              center=False, padMode='none', firstFrameStart=0, sampleRate=rate)
    emit(name, t, files, x, 'cut16', 'torch.stft ' + torch.__version__,
         "torch.stft(x[:3200], n_fft=512, hop_length=128, window=torch.hann_window(512), center=False, return_complex=True); "
         "abs/angle .numpy().tofile() (bins, frames)", True)


def pair_fixtures(S):
    """torch.save(torch.stft(..., return_complex=False)): one .pt holding a (bins, frames, 2) float32 view of (re, im)
    pairs (strided: the transposed complex result seen as reals). 256/64 on the first 1600 samples of the chord (~28 kB)."""
    import torch
    rate, x, _ = S['chord8']
    x = x[:1600]
    R = torch.stft(torch.from_numpy(x.copy()), 256, 64, window=torch.hann_window(256), center=True, pad_mode='reflect', return_complex=False)
    name = 'kinds/torch-save-view-as-real'
    d = folder(name)
    torch.save(R, os.path.join(d, 'stft.pt'))
    emit(name, truth(magnitudeFile={'format': 'pt', 'dtype': 'complex64', 'endian': 'little', 'headerBytes': 0, 'variable': None}, phaseFile=None,
                     frames=R.shape[1], bins=R.shape[0], nfft=256, hop=64, center=True, padMode='reflect', firstFrameStart=-128, sampleRate=rate,
                     originalLength=len(x)), ('stft.pt', None), x, 'chord8', 'torch.stft ' + torch.__version__,
         "torch.save(torch.stft(x, 256, 64, window=hann_window(256), center=True, pad_mode='reflect', return_complex=False)): "
         "float32 (129, frames, 2) (re, im), strided", True, issue=15, extra_meta={'hasPhase': True, 'complexFile': True})


def aubio_fixtures(S):
    import aubio
    cases = [('aubio-pvoc-512-128', 'cut16', 512, 128, None), ('aubio-pvoc-512-128-dithered', 'cut16d', 512, 128, None), ('aubio-pvoc-1024-256-hamming', 'alsa8', 1024, 256, 'hamming'),
             ('aubio-pvoc-256-64-blackman', 'chord8', 256, 64, 'blackman')]
    for name, sig, N, hop, win in cases:
        rate, x, _ = S[sig]
        p = aubio.pvoc(N, hop)
        if win:
            p.set_window(win)
        F = -(-len(x) // hop)
        xp = np.zeros(F * hop, dtype=np.float32)
        xp[:len(x)] = x
        norm = np.zeros((F, N // 2 + 1), dtype=np.float32)
        phas = np.zeros_like(norm)
        for m in range(F):
            c = p(xp[m * hop:(m + 1) * hop])
            norm[m] = c.norm
            phas[m] = c.phas
        d = folder(name)
        norm.tofile(os.path.join(d, 'norm.f32'))
        phas.tofile(os.path.join(d, 'phas.f32'))
        # aubio's windows (src/mathutils.c): default 'hanningz' and 'hamming' are periodic (cos(2*pi*i/size)),
        # 'blackman' is symmetric (cos(2*pi*i/(size-1))) -- the check below holds us to that.
        wname = {None: 'hann', 'hamming': 'hamming', 'blackman': 'blackman'}[win]
        wsym = 'symmetric' if win == 'blackman' else 'periodic'
        t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=F, bins=N // 2 + 1, nfft=N,
                  hop=hop, window=wname, windowSymmetry=wsym, center=True, padMode='zeros', firstFrameStart=hop - N,
                  phaseReference='window-centre', sampleRate=rate, originalLength=len(x))
        call = f"aubio.pvoc({N}, {hop})" + (f".set_window('{win}')" if win else '') + f"; fed hop-sized float32 blocks (last zero-padded); cvec.norm / cvec.phas rows stacked (frames, bins), tofile"
        emit(name, t, ('norm.f32', 'phas.f32'), x, sig, 'aubio.pvoc ' + aubio.version, call, True)


def scipy_fixtures(S):
    import scipy
    v = 'scipy ' + scipy.__version__
    # 1. scipy.signal.stft defaults on the chord: periodic Hann 256/128, zero boundary, padded end, / sum(w).
    rate, x, _ = S['chord8']
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate)
    d = folder('scipy-stft-default')
    files = save_pair(d, Z, 'raw')
    w = sps.get_window('hann', 256)
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=256, hop=128,
              center=True, padMode='zeros', firstFrameStart=-128, gain=float(1 / w.sum()), sampleRate=rate, originalLength=len(x))
    emit('scipy-stft-default', t, files, x, 'chord8', 'scipy.signal.stft ' + v, 'scipy.signal.stft(x, fs) defaults; abs/angle float32 tofile (bins, frames)', True)

    # 1b. a window outside the vocabulary: Blackman-Harris (4-term), which a Kaiser fits within the imprint's noise.
    rate, x, _ = S['cut16']
    x = x[:3200]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, window='blackmanharris', nperseg=512, noverlap=384)
    d = folder('scipy-stft-blackmanharris-512-128')
    files = save_pair(d, Z, 'raw')
    w = sps.get_window('blackmanharris', 512)
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=512, hop=128,
              window='estimated', center=True, padMode='zeros', firstFrameStart=-256, gain=float(1 / w.sum()), sampleRate=rate,
              originalLength=len(x))
    emit('scipy-stft-blackmanharris-512-128', t, files, x, 'cut16', 'scipy.signal.stft ' + v,
         "scipy.signal.stft(x[:3200], fs, window='blackmanharris', nperseg=512, noverlap=384); abs/angle float32 tofile (bins, frames)", True,
         window=w, notes="no window of the vocabulary is Blackman-Harris: the truth is window 'estimated' (measured from the files)")

    # 2. scipy.signal.stft: periodic Hamming 200 in a 256 FFT (segment at the start), hop 50, linear detrend, no boundary.
    rate, x, _ = S['alsa8']
    x = x[:4000]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, window='hamming', nperseg=200, noverlap=150, nfft=256, detrend='linear',
                        boundary=None, padded=False)
    d = folder('scipy-stft-hamming200-nfft256-detrend')
    files = save_pair(d, Z, 'npy', dtype='<f8')
    w = sps.get_window('hamming', 200)
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, frames=Z.shape[1], bins=Z.shape[0], nfft=256, hop=50,
              winLength=200, windowPlacement='start', window='hamming', detrend='linear', gain=float(1 / w.sum()), sampleRate=rate)
    emit('scipy-stft-hamming200-nfft256-detrend', t, files, x, 'alsa8', 'scipy.signal.stft ' + v,
         "scipy.signal.stft(x, fs, window='hamming', nperseg=200, noverlap=150, nfft=256, detrend='linear', boundary=None, padded=False); np.save abs/angle float64", True)

    # 3. spectrogram, mode='magnitude' + mode='angle' (two calls), defaults: tukey 0.25, nperseg 256, noverlap = nperseg // 8
    #    = 32 (hop 224, not 32: the default overlap is small), detrend constant, density scaling.
    rate, x, _ = S['speech16']
    _, _, M = sps.spectrogram(x.astype(np.float64), fs=rate, mode='magnitude')
    _, _, A = sps.spectrogram(x.astype(np.float64), fs=rate, mode='angle')
    d = folder('scipy-spectrogram-magnitude-angle')
    np.save(os.path.join(d, 'magnitude.npy'), M.astype('<f4'))
    np.save(os.path.join(d, 'angle.npy'), A.astype('<f4'))
    w = sps.get_window(('tukey', 0.25), 256)
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, frames=M.shape[1], bins=M.shape[0], nfft=256, hop=224,
              window='tukey-0.25', detrend='constant', gain=float(np.sqrt(1 / (rate * (w * w).sum()))), sampleRate=rate)
    emit('scipy-spectrogram-magnitude-angle', t, ('magnitude.npy', 'angle.npy'), x, 'speech16', 'scipy.signal.spectrogram ' + v,
         "spectrogram(x, fs, mode='magnitude') and spectrogram(x, fs, mode='angle'), other arguments default; np.save float32", True)

    # 4. spectrogram mode='magnitude' + mode='phase' (unwrapped), nperseg 128 / noverlap 96, raw float64 bin-major.
    rate, x, _ = S['chord8']
    x = x[:3200]
    kw = dict(fs=rate, nperseg=128, noverlap=96)
    _, _, M = sps.spectrogram(x.astype(np.float64), mode='magnitude', **kw)
    _, _, P = sps.spectrogram(x.astype(np.float64), mode='phase', **kw)
    d = folder('scipy-spectrogram-magnitude-phase')
    M.astype('<f8').tofile(os.path.join(d, 'magnitude.f64'))
    P.astype('<f8').tofile(os.path.join(d, 'phase.f64'))
    w = sps.get_window(('tukey', 0.25), 128)
    t = truth(magnitudeFile=raw('float64'), phaseFile=raw('float64'), frames=M.shape[1], bins=M.shape[0], nfft=128, hop=32,
              window='tukey-0.25', detrend='constant', gain=float(np.sqrt(1 / (rate * (w * w).sum()))), sampleRate=rate)
    emit('scipy-spectrogram-magnitude-phase', t, ('magnitude.f64', 'phase.f64'), x, 'chord8', 'scipy.signal.spectrogram ' + v,
         "spectrogram(x, fs, nperseg=128, noverlap=96, mode='magnitude') and (..., mode='phase'): phase unwrapped along time; tofile float64", True)

    # 6. the same class (scipy.signal.spectrogram: segments detrended before the window), other sizes: nperseg 512 with its
    #    default noverlap 512 // 8 = 64 (hop 448, constant detrend) on speech cut mid-word; nperseg 128 / noverlap 96 with
    #    detrend='linear' on the ALSA speech. float32 tofile (bins, frames).
    for name, sig, n, kw, detrend in (('scipy-spectrogram-512-constant', 'cut16', None, dict(nperseg=512), 'constant'),
                                       ('scipy-spectrogram-128-96-linear', 'alsa8', 4000, dict(nperseg=128, noverlap=96, detrend='linear'), 'linear')):
        rate, x, _ = S[sig]
        x = x[:n]
        _, _, M = sps.spectrogram(x.astype(np.float64), fs=rate, mode='magnitude', **kw)
        _, _, A = sps.spectrogram(x.astype(np.float64), fs=rate, mode='angle', **kw)
        d = folder(name)
        M.astype('<f4').tofile(os.path.join(d, 'magnitude.f32'))
        A.astype('<f4').tofile(os.path.join(d, 'angle.f32'))
        nfft = kw['nperseg']
        w = sps.get_window(('tukey', 0.25), nfft)
        t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=M.shape[1], bins=M.shape[0], nfft=nfft,
                  hop=nfft - kw.get('noverlap', nfft // 8), window='tukey-0.25', detrend=detrend,
                  gain=float(np.sqrt(1 / (rate * (w * w).sum()))), sampleRate=rate)
        args = ', '.join(f'{k}={v!r}' for k, v in kw.items())
        emit(name, t, ('magnitude.f32', 'angle.f32'), x, sig, 'scipy.signal.spectrogram ' + v,
             f"spectrogram(x, fs, {args}, mode='magnitude') and (..., mode='angle'), other arguments default; tofile float32", True)

    # 5. spectrogram default mode='psd' (magnitude only): power, density scaling, one-sided doubling except DC and Nyquist.
    rate, x, _ = S['alsa8']
    _, _, P = sps.spectrogram(x.astype(np.float64), fs=rate)
    d = folder('scipy-spectrogram-psd')
    P.astype('<f4').tofile(os.path.join(d, 'psd.f32'))
    w = sps.get_window(('tukey', 0.25), 256)
    t = truth(magnitudeFile=raw('float32'), phaseFile=None, frames=P.shape[1], bins=P.shape[0], nfft=256, hop=224, window='tukey-0.25',
              detrend='constant', magnitudeScale='power', gain=psd_gain(rate, w), sampleRate=rate)
    emit('scipy-spectrogram-psd', t, ('psd.f32', None), x, 'alsa8', 'scipy.signal.spectrogram ' + v,
         'spectrogram(x, fs) all defaults (mode psd); tofile float32', True,
         notes='one-sided psd doubles every bin but DC and Nyquist: those two rows are stored at half the power the scalar gain says (the check applies that; the vocabulary has no field for it)',
         edge_bin_gain=psd_edge_gain(129), extra_meta=PSD_EDGE_META)


def mlab_fixtures(S):
    import matplotlib
    from matplotlib import mlab
    v = 'matplotlib ' + matplotlib.__version__
    # mode='complex': NFFT 512, noverlap 384, window_hanning (np.hanning: symmetric), no detrend.
    rate, x, _ = S['cut16']
    Z, f, tt = mlab.specgram(x.astype(np.float64), NFFT=512, Fs=rate, noverlap=384, mode='complex')
    d = folder('mlab-specgram-complex')
    files = save_pair(d, Z, 'raw', layout='frame-major')
    w = np.hanning(512)
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=Z.shape[1], bins=Z.shape[0], nfft=512,
              hop=128, windowSymmetry='symmetric', gain=float(1 / w.sum()), sampleRate=rate)
    emit('mlab-specgram-complex', t, files, x, 'cut16', 'matplotlib.mlab.specgram ' + v,
         "mlab.specgram(x, NFFT=512, Fs=fs, noverlap=384, mode='complex'); abs/angle of the transpose, float32 tofile", True)
    # Unpadded 50 % overlap of audio that starts in digital silence a frame in (espeak: 702 silent samples):
    # frame 0 holds nothing, frame 1 the onset (the start is ambiguous; it once read as a zero pad by 256).
    rate, x, _ = S['speech16']
    x = x[:4000]
    Z, f, tt = mlab.specgram(x.astype(np.float64), NFFT=512, Fs=rate, noverlap=256, mode='complex')
    d = folder('mlab-specgram-complex-silent-start')
    files = save_pair(d, Z, 'raw')
    w = np.hanning(512)
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=512, hop=256,
              windowSymmetry='symmetric', gain=float(1 / w.sum()), sampleRate=rate)
    emit('mlab-specgram-complex-silent-start', t, files, x, 'speech16', 'matplotlib.mlab.specgram ' + v,
         "mlab.specgram(x[:4000], NFFT=512, Fs=fs, noverlap=256, mode='complex'); abs/angle float32 tofile (bins, frames)", True,
         notes='the audio starts with 702 samples of digital silence: frame 0 is all zero')
    # default mode psd, NFFT 256 noverlap 128, magnitude only.
    rate, x, _ = S['chord8']
    P, f, tt = mlab.specgram(x.astype(np.float64), NFFT=256, Fs=rate, noverlap=128)
    d = folder('mlab-specgram-psd')
    np.save(os.path.join(d, 'psd.npy'), P.astype('<f4'))
    w = np.hanning(256)
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile=None, frames=P.shape[1], bins=P.shape[0], nfft=256, hop=128, windowSymmetry='symmetric',
              magnitudeScale='power', gain=psd_gain(rate, w), sampleRate=rate)
    emit('mlab-specgram-psd', t, ('psd.npy', None), x, 'chord8', 'matplotlib.mlab.specgram ' + v,
         'mlab.specgram(x, NFFT=256, Fs=fs, noverlap=128) (mode psd, scale_by_freq); np.save float32', True,
         notes=PSD_EDGE_NOTE, edge_bin_gain=psd_edge_gain(129), extra_meta=PSD_EDGE_META)


def mne_fixture(S):
    import mne
    from mne.time_frequency import stft
    rate, x, _ = S['cut16']
    x = x[:2300]  # 36 frames, ending mid-sound: the fixture folder is near its size cap
    N, hop = 256, 64
    Z = stft(x[None].astype(np.float64), N, tstep=hop, verbose=False)[0]
    d = folder('mne-stft-256-64')
    files = save_pair(d, Z, 'npy')
    # mne's window is the sine window sin(pi*(n+0.5)/N) (scipy's 'cosine', symmetric), and each padded sample p is
    # divided by swin(p) = sqrt(N * sum of the win^2 covering p): a constant sqrt(N * N/(2 hop)) inside, smaller over
    # the first and last N - hop samples of the padded signal. So the file is the STFT of x * s(p), s = swin_inside /
    # swin(p) (up to 1.4 on the first and last (N - hop)/2 signal samples), with gain 1 / swin_inside.
    win2 = np.sin(np.arange(0.5, N + 0.5) / N * np.pi) ** 2
    steps = Z.shape[1]
    swin = np.zeros((steps - 1) * hop + N)
    for m in range(steps):
        swin[m * hop:m * hop + N] += win2
    inside = N / (2 * hop)
    first = (N - hop) // 2
    s = np.sqrt(inside / swin[first:first + len(x)])
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, frames=steps, bins=Z.shape[0], nfft=N, hop=hop,
              window='cosine', windowSymmetry='symmetric', center=True, padMode='zeros', firstFrameStart=-first,
              gain=float(1 / np.sqrt(N * inside)), sampleRate=rate, originalLength=len(x))
    emit('mne-stft-256-64', t, files, x, 'cut16', 'mne.time_frequency.stft ' + mne.__version__,
         'mne.time_frequency.stft(x[None, :2300], 256, tstep=64)', True, sample_gain=s,
         notes=f'mne divides each padded sample by the summed squares of the windows over it: the first and last {first} signal '
               'samples are the STFT of x * s(p), s up to 1.4 (no config field says it; the export measures the interior)',
         extra_meta={'knownDeviation': f'per-sample edge gain on the first and last {first} signal samples'})


HANNING_ZEROS = ("np.hanning is exactly 0 at both end points: with blocks that do not overlap, the two samples at every block boundary "
                 "are not in the file at all (export interpolates them)")


def numpy_fixtures(S):
    v = 'numpy ' + np.__version__

    def rect_blocks(name, sig, N, F, call):
        """Plain block FFTs, hop = nfft, of the first F blocks (the trailing partial block dropped): abs/angle
        float32 (frames, bins) written with tofile."""
        rate, x, _ = S[sig]
        Z = np.fft.rfft(x[:F * N].astype(np.float64).reshape(F, N), axis=1)  # (frames, bins)
        d = folder(name)
        np.abs(Z).astype('<f4').tofile(os.path.join(d, 'mag.f32'))
        np.angle(Z).astype('<f4').tofile(os.path.join(d, 'phase.f32'))
        t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=F, bins=N // 2 + 1, nfft=N, hop=N,
                  window='rectangular', sampleRate=rate)
        emit(name, t, ('mag.f32', 'phase.f32'), x, sig, v, call, True)

    rect_blocks('numpy-block-rect-256', 'alsa8', 256, len(S['alsa8'][1]) // 256, 'np.fft.rfft(x[:F*256].reshape(F, 256), axis=1); abs/angle float32 tofile')

    # 18 blocks (9216 samples), a short file: over so few blocks the seams' file-wide mean was noise and a
    # chance-level overlapping reading outranked the blocks (the phase was thrown away); read right since 2de843e/108fcdb.
    rate, x, _ = S['speech16']
    N = 512
    F = 18
    Z = np.fft.rfft(x[:F * N].astype(np.float64).reshape(F, N) * np.hanning(N), axis=1)
    d = folder('numpy-block-hann-512-npy')
    np.save(os.path.join(d, 'mag.npy'), np.abs(Z))
    np.save(os.path.join(d, 'phase.npy'), np.angle(Z))
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, layout='frame-major', frames=F, bins=N // 2 + 1, nfft=N, hop=N,
              windowSymmetry='symmetric', sampleRate=rate)
    emit('numpy-block-hann-512-npy', t, ('mag.npy', 'phase.npy'), x, 'speech16', v,
         'np.fft.rfft(blocks * np.hanning(512)) with blocks = x[:18*512].reshape(18, 512); np.save abs/angle float64 (frames, bins)', False,
         extra_meta={'lossyBecause': HANNING_ZEROS})

    # The plainest writer of all on a short file: 18 rectangular blocks of 512 of the clip cut mid-word.
    rect_blocks('numpy-block-rect-512-18-cut16-f32', 'cut16', 512, 18,
                'np.fft.rfft(x[:18*512].reshape(18, 512), axis=1); abs/angle float32 tofile (frames, bins)')

    # The rest of the block-FFT class (DESIGN 4.12): a window with exact zero ends on audio that does not start
    # in silence, and np.hamming (no zeros: every sample is in the file) on audio that does and does not.
    for name, sig, N, win, kind, layout, lossless in (
            ('numpy-block-hanning-256-cut16-f32', 'cut16', 256, 'hanning', 'raw', 'frame-major', False),
            ('numpy-block-hamming-400-speech16-f32', 'speech16', 400, 'hamming', 'raw', 'frame-major', True),
            ('numpy-block-hamming-256-cut16-npy', 'cut16', 256, 'hamming', 'npy', 'bin-major', True)):
        rate, x, _ = S[sig]
        F = len(x) // N
        w = np.hanning(N) if win == 'hanning' else np.hamming(N)
        Z = np.fft.rfft(x[:F * N].astype(np.float64).reshape(F, N) * w, axis=1).T  # (bins, frames)
        d = folder(name)
        files = save_pair(d, Z, kind, layout=layout, dtype='<f4')
        storage = raw('float32') if kind == 'raw' else {'format': 'npy'}
        t = truth(magnitudeFile=dict(storage), phaseFile=dict(storage), layout=layout, frames=F, bins=N // 2 + 1, nfft=N, hop=N,
                  window='hann' if win == 'hanning' else 'hamming', windowSymmetry='symmetric', sampleRate=rate)
        saved = 'tofile' if kind == 'raw' else 'np.save'
        shape = '(frames, bins)' if layout == 'frame-major' else '(bins, frames)'
        emit(name, t, files, x, sig, v, f'np.fft.rfft(blocks * np.{win}({N})) with blocks = x[:F*{N}].reshape(F, {N}); abs/angle float32 {shape}, {saved}',
             lossless, extra_meta=None if lossless else {'lossyBecause': HANNING_ZEROS})

    # a C-ordered (bins, frames) npy, as a hand-written STFT with np.stack(axis=1) gives: sqrt-Hann 256 / hop 64,
    # the signal zero-padded by nfft/2 at both ends by hand (librosa's centring).
    rate, x, _ = S['chord8']
    x = x[:3200]
    N, hop = 256, 64
    w = np.sqrt(sps.get_window('hann', N))
    xp = np.pad(x.astype(np.float64), N // 2)
    F = 1 + len(x) // hop
    Z = np.stack([np.fft.rfft(w * xp[m * hop:m * hop + N]) for m in range(F)], axis=1)  # (bins, frames), C order
    d = folder('numpy-sqrthann-256-64-c-npy')
    np.save(os.path.join(d, 'mag.npy'), np.abs(Z))
    np.save(os.path.join(d, 'phase.npy'), np.angle(Z))
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, frames=F, bins=N // 2 + 1, nfft=N, hop=hop, window='sqrt-hann',
              center=True, padMode='zeros', firstFrameStart=-N // 2, sampleRate=rate, originalLength=len(x))
    emit('numpy-sqrthann-256-64-c-npy', t, ('mag.npy', 'phase.npy'), x, 'chord8', 'numpy ' + np.__version__,
         "np.stack([rfft(sqrt(hann_periodic(256)) * xp[m*64:m*64+256]) for m], axis=1) with xp = np.pad(x, 128); np.save abs/angle float64 (bins, frames), C order", True)


def mixed_fixtures(S):
    import torch
    # int16 whole-dB magnitudes beside float32 phase, from torch.stft 512/128.
    rate, x, _ = S['chord8']
    Z = torch.stft(torch.from_numpy(x.copy()), 512, 128, window=torch.hann_window(512), center=True, pad_mode='reflect',
                   return_complex=True).numpy()
    d = folder('torch-512-128-int16db-f32phase')
    np.round(20 * np.log10(np.abs(Z))).astype(np.int16).tofile(os.path.join(d, 'mag_db.i16'))
    np.angle(Z).astype('<f4').tofile(os.path.join(d, 'phase.f32'))
    t = truth(magnitudeFile=raw('int16'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], nfft=512, hop=128, center=True,
              padMode='reflect', firstFrameStart=-256, magnitudeScale='db', sampleRate=rate, originalLength=len(x))
    emit('torch-512-128-int16db-f32phase', t, ('mag_db.i16', 'phase.f32'), x, 'chord8', 'torch.stft ' + torch.__version__ + ' + numpy',
         "torch.stft(x, 512, 128, window=hann_window(512), center=True, pad_mode='reflect'); np.round(20*log10(|X|)).astype(int16).tofile beside angle float32 tofile", False)

    # Fortran-ordered npy: S (frames, bins) from numpy, np.save(S.T) -> a (bins, frames) F-order array (bin-major).
    rate, x, _ = S['cut16']
    x = x[:4800]  # half the clip: the fixture folder is at its size cap
    N, hop = 320, 80
    F = 1 + (len(x) - N) // hop
    w = sps.get_window('hamming', N)
    Sfb = np.stack([np.fft.rfft(w * x[m * hop:m * hop + N].astype(np.float64)) for m in range(F)])  # (frames, bins)
    d = folder('numpy-320-80-hamming-fortran-npy')
    np.save(os.path.join(d, 'mag.npy'), np.abs(Sfb).astype('<f4').T)
    np.save(os.path.join(d, 'phase.npy'), np.angle(Sfb).astype('<f4').T)
    assert np.load(os.path.join(d, 'mag.npy')).flags.f_contiguous
    t = truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, layout='bin-major', frames=F, bins=N // 2 + 1, nfft=N, hop=hop,
              window='hamming', sampleRate=rate)
    emit('numpy-320-80-hamming-fortran-npy', t, ('mag.npy', 'phase.npy'), x, 'cut16', 'numpy ' + np.__version__,
         "S = stack of rfft(get_window('hamming', 320) * segment) as (frames, bins); np.save(abs(S).T), np.save(angle(S).T): Fortran-ordered (bins, frames)", True)


def octave_fixtures(S, tmp):
    ver = subprocess.run(['octave-cli', '--eval', 'disp(version)'], capture_output=True, text=True).stdout.strip()
    subprocess.run(['octave-cli', '--no-gui', os.path.join(HERE, 'octave_fixtures.m'), SIGDIR, tmp], check=True)

    def take(name, files):
        d = folder(name)
        out = []
        for src, dst in files:
            if src:
                shutil.copy(os.path.join(tmp, src), os.path.join(d, dst))
            out.append(dst if src else None)
        return tuple(out)

    rate, x, _ = S['alsa8']
    F = len(range(1, len(x) - 256 + 1, 64))
    files = take('octave-specgram-hamming256', [('oct-specgram-hamming.mag', 'mag.f32'), ('oct-specgram-hamming.phase', 'phase.f32')])
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=F, bins=128, nfft=256, sided='one-no-nyquist',
              hop=64, window='hamming', windowSymmetry='symmetric', sampleRate=rate)
    emit('octave-specgram-hamming256', t, files, x, 'alsa8', 'Octave ' + ver + ' signal specgram',
         "S = specgram(x, 256, 8000, hamming(256), 192); fwrite(abs(S), 'float32'), fwrite(angle(S), 'float32')", True)

    rate, x, _ = S['chord8']
    F = len(range(1, len(x) - 400 + 1, 100))
    files = take('octave-specgram-db-magonly', [('oct-specgram-db.mag', 'db.f64'), (None, None)])
    t = truth(magnitudeFile=raw('float64'), phaseFile=None, layout='frame-major', frames=F, bins=256, nfft=512, sided='one-no-nyquist',
              hop=100, winLength=400, windowPlacement='start', window='hamming', windowSymmetry='symmetric', magnitudeScale='db', sampleRate=rate)
    emit('octave-specgram-db-magonly', t, files, x, 'chord8', 'Octave ' + ver + ' signal specgram',
         "S = specgram(x, 512, 8000, hamming(400), 300); fwrite(20*log10(abs(S)), 'float64')", True)

    rate, x, _ = S['cut16']
    F = (len(x) - 200) // 80 + 1
    files = take('octave-stft-hamming-magonly', [('oct-stft-hamming.mag', 'mag.f32'), (None, None)])
    t = truth(magnitudeFile=raw('float32'), phaseFile=None, layout='frame-major', frames=F, bins=128, nfft=256, sided='one-no-nyquist', hop=80,
              winLength=200, windowPlacement='start', window='hamming', windowSymmetry='symmetric', sampleRate=rate)
    emit('octave-stft-hamming-magonly', t, files, x, 'cut16', 'Octave ' + ver + ' stft (core)',
         "Y = stft(x, 200, 80, 128, 'hamming'); fwrite(Y, 'float32') (stft returns abs of the first 128 of 256 bins)", True)

    rate, x, _ = S['alsa8']
    F = len(range(1, len(x) - 256 + 1, 128))
    files = take('octave-specgram-default-hanning', [('oct-specgram-default.mag', 'mag.f32'), ('oct-specgram-default.phase', 'phase.f32')])
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=F, bins=128, nfft=256, sided='one-no-nyquist',
              hop=128, window='hann', windowSymmetry='symmetric', sampleRate=rate)
    emit('octave-specgram-default-hanning', t, files, x, 'alsa8', 'Octave ' + ver + ' signal specgram',
         "S = specgram(x, 256, 8000): default window hanning(256), overlap 128", True,
         notes="Octave's hanning(n) is the symmetric Hann with zero end points (MATLAB's hanning(n) has none: 0.5-0.5cos(2*pi*k/(n+1)), k=1..n)")

    rate, x, _ = S['speech16']
    x = x[:4000]
    F = len(range(1, len(x) - 512 + 1, 256))
    files = take('octave-specgram-512-silent-start', [('oct-specgram-silent.mag', 'mag.f32'), ('oct-specgram-silent.phase', 'phase.f32')])
    t = truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=F, bins=256, nfft=512, sided='one-no-nyquist',
              hop=256, window='hann', windowSymmetry='symmetric', sampleRate=rate)
    emit('octave-specgram-512-silent-start', t, files, x, 'speech16', 'Octave ' + ver + ' signal specgram',
         "S = specgram(x(1:4000), 512, 16000, hanning(512), 256)", True, notes='the audio starts with 702 samples of digital silence: frame 0 is all zero')


# ---------------------------------------------------------------- issue #15: other kinds of files
def kinds_fixtures(S, tmp):
    """Stereo, labelled CSV, flipped / fftshifted / centred bin orders, torch.save and JSON lists: under kinds/."""
    import torch
    import pandas as pd
    K = 'kinds/'
    # a stereo clip: left the chord, right the ALSA speech (0.25 s each, 8 kHz), stored planar (2, samples).
    rate = 8000
    st = np.stack([S['chord8'][1][:2000], S['alsa8'][1][2000:4000]]).astype('<f4')
    st.tofile(os.path.join(SIGDIR, 'stereo8.f32'))
    with open(os.path.join(SIGDIR, 'signals.json')) as fh:
        sj = json.load(fh)
    sj['stereo8'] = {'file': 'stereo8.f32', 'dtype': 'float32', 'endian': 'little', 'sampleRate': rate, 'length': 2000, 'channels': 2,
                     'order': 'planar: all of channel 0, then all of channel 1 (a (2, samples) C-order array)',
                     'source': 'left: chord8[:2000]; right: alsa8[2000:4000]'}
    with open(os.path.join(SIGDIR, 'signals.json'), 'w') as fh:
        json.dump(sj, fh, indent=1)
    tv = 'torch.stft ' + torch.__version__
    import scipy
    sv = 'scipy.signal.stft ' + scipy.__version__

    # 1-2. torch.stft of a (2, samples) batch: (2, bins, frames), np.save and torch.save.
    Z = torch.stft(torch.from_numpy(st.copy()), 256, 64, window=torch.hann_window(256), center=True, pad_mode='reflect', return_complex=True)
    base = dict(layout='bin-major', channels=2, frames=Z.shape[2], bins=Z.shape[1], nfft=256, hop=64, center=True, padMode='reflect',
                firstFrameStart=-128, sampleRate=rate, originalLength=2000)
    name = K + 'torch-stereo-npy'
    d = folder(name)
    np.save(os.path.join(d, 'mag.npy'), Z.abs().numpy())
    np.save(os.path.join(d, 'phase.npy'), Z.angle().numpy())
    emit(name, truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, **base), ('mag.npy', 'phase.npy'), st, 'stereo8', tv,
         "torch.stft(x2, 256, 64, window=hann_window(256), center=True, pad_mode='reflect') on a (2, 2000) tensor; np.save(Z.abs().numpy()), np.save(Z.angle().numpy()): (2, 129, 32)",
         True, issue=15)
    name = K + 'torch-stereo-pt'
    d = folder(name)
    torch.save(Z.abs().clone(), os.path.join(d, 'mag.pt'))
    torch.save(Z.angle().clone(), os.path.join(d, 'phase.pt'))
    ptst = {'format': 'pt', 'dtype': 'float32', 'endian': 'little', 'headerBytes': 0, 'variable': None}
    emit(name, truth(magnitudeFile=dict(ptst), phaseFile=dict(ptst), **base), ('mag.pt', 'phase.pt'), st, 'stereo8', tv,
         'the same STFT; torch.save(Z.abs()), torch.save(Z.angle()): zip archives (format "pt" is not in the vocabulary yet)', True, issue=15)

    # 3-4. scipy.signal.stft of a (2, samples) array (axis -1): (2, bins, frames); raw tofile and np.save.
    f, tt, Zs = sps.stft(st.astype(np.float64), fs=rate, nperseg=256, noverlap=192)
    w = sps.get_window('hann', 256)
    base = dict(layout='bin-major', channels=2, frames=Zs.shape[2], bins=Zs.shape[1], nfft=256, hop=64, center=True, padMode='zeros',
                firstFrameStart=-128, gain=float(1 / w.sum()), sampleRate=rate, originalLength=2000)
    name = K + 'scipy-stereo-raw'
    d = folder(name)
    np.abs(Zs).astype('<f4').tofile(os.path.join(d, 'mag.f32'))
    np.angle(Zs).astype('<f4').tofile(os.path.join(d, 'phase.f32'))
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), **base), ('mag.f32', 'phase.f32'), st, 'stereo8', sv,
         'scipy.signal.stft(x2, fs, nperseg=256, noverlap=192) on a (2, 2000) array; abs/angle float32 tofile of the (2, 129, frames) arrays', True, issue=15)
    name = K + 'scipy-stereo-npy'
    d = folder(name)
    np.save(os.path.join(d, 'mag.npy'), np.abs(Zs))
    np.save(os.path.join(d, 'phase.npy'), np.angle(Zs))
    emit(name, truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, **base), ('mag.npy', 'phase.npy'), st, 'stereo8', sv,
         'the same STFT; np.save(abs), np.save(angle) float64 (2, 129, frames)', True, issue=15)

    # 5. pandas CSV: DataFrame(S.T, index=times, columns=freqs).to_csv(): first row the bin frequencies (Hz), first column frame times (s).
    rate, x, _ = S['chord8']
    x = x[:2000]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, nperseg=128)
    name = K + 'pandas-csv-labelled'
    d = folder(name)
    pd.DataFrame(np.abs(Z).T, index=tt, columns=f).to_csv(os.path.join(d, 'mag.csv'))
    pd.DataFrame(np.angle(Z).T, index=tt, columns=f).to_csv(os.path.join(d, 'phase.csv'))
    for fn in ('mag.csv', 'phase.csv'):
        LABELS[os.path.join(d, fn)] = (1, 1)
    csvst = {'format': 'csv', 'dtype': 'float64', 'endian': 'little', 'headerBytes': 0, 'variable': None}
    w = sps.get_window('hann', 128)
    emit(name, truth(magnitudeFile=dict(csvst), phaseFile=dict(csvst), layout='frame-major', frames=Z.shape[1], bins=Z.shape[0], nfft=128, hop=64,
                     center=True, padMode='zeros', firstFrameStart=-64, gain=float(1 / w.sum()), sampleRate=rate, originalLength=2000),
         ('mag.csv', 'phase.csv'), x, 'chord8', 'pandas ' + pd.__version__ + ' + ' + sv,
         'f, t, Z = scipy.signal.stft(x, fs, nperseg=128); pandas.DataFrame(abs(Z).T, index=t, columns=f).to_csv(path) (and angle)', True, issue=15,
         extra_meta={'labels': {'firstRow': 'empty corner cell, then the bin frequencies in Hz', 'firstColumn': 'frame times in s'}})

    # 6. Octave emulation of MATLAB writetable: header 'Time,f1,...,fN', one row per frame (time in s, then the bins).
    subprocess.run(['octave-cli', '--no-gui', '--eval', f"""
        pkg load signal;
        fid = fopen('{SIGDIR}/chord8.f32'); x = fread(fid, 2000, 'float32=>double'); fclose(fid);
        [S, f, t] = specgram(x, 128, 8000, hamming(128), 64);
        names = {{'mag', 'phase'}}; vals = {{abs(S), angle(S)}};
        for j = 1:2
          fid = fopen(['{tmp}/wt-' names{{j}} '.csv'], 'w');
          fprintf(fid, 'Time'); fprintf(fid, ',f%d', 1:rows(S)); fprintf(fid, '\\n');
          V = [t(:), vals{{j}}.'];
          for i = 1:rows(V)
            fprintf(fid, '%.15g', V(i, 1)); fprintf(fid, ',%.15g', V(i, 2:end)); fprintf(fid, '\\n');
          end
          fclose(fid);
        end"""], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    name = K + 'octave-writetable-csv'
    d = folder(name)
    for fn in ('mag.csv', 'phase.csv'):
        shutil.copy(os.path.join(tmp, 'wt-' + fn), os.path.join(d, fn))
        LABELS[os.path.join(d, fn)] = (1, 1)
    F = len(range(1, 2000 - 128 + 1, 64))
    emit(name, truth(magnitudeFile=dict(csvst), phaseFile=dict(csvst), layout='frame-major', frames=F, bins=64, nfft=128, sided='one-no-nyquist',
                     hop=64, window='hamming', windowSymmetry='symmetric', sampleRate=rate),
         ('mag.csv', 'phase.csv'), x, 'chord8', 'Octave signal specgram + fprintf (emulating MATLAB writetable)',
         "[S, f, t] = specgram(x, 128, 8000, hamming(128), 64); written row per frame with a header 'Time,f1,...,f64' and %.15g values: an Octave emulation of writetable's format, not MATLAB itself",
         True, issue=15, extra_meta={'labels': {'firstRow': "header 'Time,f1,...,f64'", 'firstColumn': 'frame times in s'}},
         notes='15 significant digits: lossless for practical purposes (relative error ~1e-15) but not bit-exact')

    # 7-8. flipped (np.flipud) pairs, binOrder descending: even nfft 256 (scipy), odd nfft 255 (torch).
    rate, x, _ = S['alsa8']
    x = x[:2000]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, nperseg=256, noverlap=192)
    name = K + 'flipud-even-256'
    d = folder(name)
    np.flipud(np.abs(Z)).astype('<f4').tofile(os.path.join(d, 'mag.f32'))
    np.flipud(np.angle(Z)).astype('<f4').tofile(os.path.join(d, 'phase.f32'))
    w = sps.get_window('hann', 256)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), frames=Z.shape[1], bins=Z.shape[0], binOrder='descending', nfft=256, hop=64,
                     center=True, padMode='zeros', firstFrameStart=-128, gain=float(1 / w.sum()), sampleRate=rate, originalLength=2000),
         ('mag.f32', 'phase.f32'), x, 'alsa8', sv, 'scipy.signal.stft(x, fs, nperseg=256, noverlap=192); np.flipud(abs), np.flipud(angle) float32 tofile', True, issue=15)
    Zt = torch.stft(torch.from_numpy(x.copy()), 255, 64, window=torch.hann_window(255), center=True, pad_mode='reflect', return_complex=True).numpy()
    name = K + 'flipud-odd-255'
    d = folder(name)
    np.save(os.path.join(d, 'mag.npy'), np.flipud(np.abs(Zt)))
    np.save(os.path.join(d, 'phase.npy'), np.flipud(np.angle(Zt)))
    emit(name, truth(magnitudeFile={'format': 'npy'}, phaseFile={'format': 'npy'}, frames=Zt.shape[1], bins=Zt.shape[0], binOrder='descending', nfft=255,
                     hop=64, center=True, padMode='reflect', firstFrameStart=-127, sampleRate=rate, originalLength=2000),
         ('mag.npy', 'phase.npy'), x, 'alsa8', tv, "torch.stft(x, 255, 64, window=hann_window(255), center=True, pad_mode='reflect'); np.save(np.flipud(abs)), np.save(np.flipud(angle)) float32", True, issue=15)

    # 9. an fftshifted two-sided numpy STFT, binOrder fftshift ([-fs/2, fs/2)), frame-major float32.
    rate, x, _ = S['chord8']
    x = x[:2000]
    N, hop = 128, 32
    F = 1 + (len(x) - N) // hop
    w = sps.get_window('hann', N)
    Z = np.fft.fftshift(np.stack([np.fft.fft(w * x[m * hop:m * hop + N].astype(np.float64)) for m in range(F)]), axes=1)  # (frames, bins)
    name = K + 'numpy-fftshift-twosided'
    d = folder(name)
    np.abs(Z).astype('<f4').tofile(os.path.join(d, 'mag.f32'))
    np.angle(Z).astype('<f4').tofile(os.path.join(d, 'phase.f32'))
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=raw('float32'), layout='frame-major', frames=F, bins=N, binOrder='fftshift', nfft=N, sided='two',
                     hop=hop, sampleRate=rate), ('mag.f32', 'phase.f32'), x, 'chord8', 'numpy ' + np.__version__,
         "np.fft.fftshift(np.fft.fft(hann_periodic(128) * frames, axis=1), axes=1) on (frames, 128); abs/angle float32 tofile", True, issue=15)

    # 10. MATLAB stft defaults emulated in numpy: periodic Hann 128, overlap 96 (hop 32), FFT 128, 'centered'
    #     range (-fs/2, fs/2], the (bins, frames) matrix fwrite'd column-major in float64 = frame-major.
    rate, x, _ = S['cut16']
    x = x[:1600]
    F = 1 + (len(x) - N) // hop
    X = np.stack([np.fft.fft(w * x[m * hop:m * hop + N].astype(np.float64)) for m in range(F)], axis=1)  # (bins, frames)
    Xc = X[np.arange(-N // 2 + 1, N // 2 + 1) % N]
    name = K + 'matlab-style-centred'
    d = folder(name)
    np.abs(Xc).T.astype('<f8').tofile(os.path.join(d, 'mag.f64'))
    np.angle(Xc).T.astype('<f8').tofile(os.path.join(d, 'phase.f64'))
    emit(name, truth(magnitudeFile=raw('float64'), phaseFile=raw('float64'), layout='frame-major', frames=F, bins=N, binOrder='centred', nfft=N, sided='two',
                     hop=hop, sampleRate=rate), ('mag.f64', 'phase.f64'), x, 'cut16', 'numpy ' + np.__version__ + ' (emulating MATLAB stft defaults)',
         "MATLAB stft(x, fs) defaults (hann(128,'periodic'), OverlapLength 96, FFTLength 128, FrequencyRange 'centered') emulated in numpy; fwrite column-major float64", True,
         issue=15, notes='an emulation: MATLAB is not on this machine; bins k = -63..64 (mod 128)')

    # 11. torch.save of a complex tensor: one .pt file holds the complex STFT (no phase file).
    rate, x, _ = S['chord8']
    x = x[:2000]
    Zc = torch.stft(torch.from_numpy(x.copy()), 256, 64, window=torch.hann_window(256), center=True, pad_mode='reflect', return_complex=True)
    name = K + 'torch-save-complex'
    d = folder(name)
    torch.save(Zc.clone(), os.path.join(d, 'stft.pt'))
    emit(name, truth(magnitudeFile={'format': 'pt', 'dtype': 'complex64', 'endian': 'little', 'headerBytes': 0, 'variable': None}, phaseFile=None,
                     frames=Zc.shape[1], bins=Zc.shape[0], nfft=256, hop=64, center=True, padMode='reflect', firstFrameStart=-128, sampleRate=rate,
                     originalLength=2000), ('stft.pt', None), x, 'chord8', tv,
         "torch.save(torch.stft(x, 256, 64, window=hann_window(256), center=True, pad_mode='reflect', return_complex=True)): complex64 (129, frames)", True, issue=15,
         extra_meta={'hasPhase': True, 'complexFile': True})
    # 12. torch.save of real tensors: magnitude (power, as torchaudio's Spectrogram) and phase.
    name = K + 'torch-save-real-power'
    d = folder(name)
    torch.save((Zc.abs() ** 2).clone(), os.path.join(d, 'power.pt'))
    torch.save(Zc.angle().clone(), os.path.join(d, 'phase.pt'))
    emit(name, truth(magnitudeFile=dict(ptst), phaseFile=dict(ptst), frames=Zc.shape[1], bins=Zc.shape[0], nfft=256, hop=64, center=True,
                     padMode='reflect', firstFrameStart=-128, magnitudeScale='power', sampleRate=rate, originalLength=2000),
         ('power.pt', 'phase.pt'), x, 'chord8', tv, 'the same STFT; torch.save(Z.abs()**2), torch.save(Z.angle()) float32 (129, frames)', True, issue=15)

    # 13. JSON nested lists: json.dump(S.tolist()) of (bins, frames) magnitude and phase. Its text takes ~45
    # bytes a value, so the clip is 1000 samples (33 frames): the fixture folder stays under 5 MB.
    rate, x, _ = S['alsa8']
    x = x[:1000]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, nperseg=128, noverlap=96)
    name = K + 'json-lists'
    d = folder(name)
    with open(os.path.join(d, 'mag.json'), 'w') as fh:
        json.dump(np.abs(Z).tolist(), fh)
    with open(os.path.join(d, 'phase.json'), 'w') as fh:
        json.dump(np.angle(Z).tolist(), fh)
    jst = {'format': 'json', 'dtype': 'float64', 'endian': 'little', 'headerBytes': 0, 'variable': None}
    w = sps.get_window('hann', 128)
    emit(name, truth(magnitudeFile=dict(jst), phaseFile=dict(jst), frames=Z.shape[1], bins=Z.shape[0], nfft=128, hop=32, center=True, padMode='zeros',
                     firstFrameStart=-64, gain=float(1 / w.sum()), sampleRate=rate, originalLength=len(x)),
         ('mag.json', 'phase.json'), x, 'alsa8', 'json + ' + sv, 'scipy.signal.stft(x, fs, nperseg=128, noverlap=96); json.dump(abs(Z).tolist()), json.dump(angle(Z).tolist()) (bins, frames)',
         True, issue=15)


# ---------------------------------------------------------------- held-out magnitude-only files (not seen when magnitude-fit was tuned)
def octave_chord_fixture(S, tmp, name, samples, call, described, winLength, hop, **fields):
    """A fixture of Octave's `call` (a specgram expression of x) on the chord's first `samples`: abs(S) written by
    fwrite as float32 (column-major: frame after frame, Nyquist dropped); `fields` are the truth's other fields."""
    out = os.path.join(tmp, name + '.mag')
    ver = subprocess.run(['octave-cli', '--eval', 'disp(version)'], capture_output=True, text=True).stdout.strip()
    subprocess.run(['octave-cli', '--no-gui', '--eval', f"""
        pkg load signal;
        fid = fopen('{SIGDIR}/chord8.f32'); x = fread(fid, {samples}, 'float32=>double'); fclose(fid);
        S = {call};
        fid = fopen('{out}', 'w'); fwrite(fid, abs(S), 'float32'); fclose(fid);"""],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rate, x, _ = S['chord8']
    x = x[:samples]
    d = folder(name)
    shutil.copy(out, os.path.join(d, 'mag.f32'))
    F = len(range(1, len(x) - winLength + 1, hop))
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, layout='frame-major', frames=F, sided='one-no-nyquist', hop=hop,
                     winLength=winLength, sampleRate=rate, **fields),
         ('mag.f32', None), x, 'chord8', 'Octave ' + ver + ' signal specgram', described, True)


def mlab_speech_magnitude(S, name, samples, nfft, noverlap):
    """A fixture of matplotlib.mlab.specgram mode='magnitude' (np.hanning, symmetric; |X| / sum(w), no one-sided
    doubling) of the first `samples` of speech16, its transpose written as float32 (frame-major)."""
    import matplotlib
    from matplotlib import mlab
    rate, x, _ = S['speech16']
    x = x[:samples]
    M, f, tt = mlab.specgram(x.astype(np.float64), NFFT=nfft, Fs=rate, noverlap=noverlap, mode='magnitude')
    d = folder(name)
    np.ascontiguousarray(M.T, dtype='<f4').tofile(os.path.join(d, 'mag.f32'))
    w = np.hanning(nfft)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, layout='frame-major', frames=M.shape[1], bins=M.shape[0], nfft=nfft,
                     hop=nfft - noverlap, windowSymmetry='symmetric', gain=float(1 / w.sum()), sampleRate=rate),
         ('mag.f32', None), x, 'speech16', 'matplotlib.mlab.specgram matplotlib ' + matplotlib.__version__,
         f"mlab.specgram(x[:{samples}], NFFT={nfft}, Fs=fs, noverlap={noverlap}, mode='magnitude'); the transpose, float32 tofile", True)


def torch_magnitude_fixture(S, name, sig, samples, n_fft, hop, file, call, win_length=None, power=False, store='bin-major'):
    """A magnitude-only fixture of torch.stft (periodic Hann of win_length centred in n_fft, center=True, reflect padding) on
    the first `samples` of a signal (all of it for None): |Z|, or |Z|**2 with `power`, stored as np.save of the (bins, frames)
    view ('npy': a transposed view, so Fortran-ordered), its float32 tofile ('bin-major') or the transpose's ('frame-major')."""
    import torch
    rate, x, _ = S[sig]
    if samples is not None:
        x = x[:samples]
    L = win_length or n_fft
    Z = torch.stft(torch.from_numpy(x.copy()), n_fft=n_fft, hop_length=hop, win_length=L, window=torch.hann_window(L), center=True,
                   pad_mode='reflect', return_complex=True)
    M = (Z.abs() ** 2 if power else Z.abs()).numpy()
    d = folder(name)
    path = os.path.join(d, file)
    if store == 'npy':
        np.save(path, M)
    elif store == 'bin-major':
        M.astype('<f4').tofile(path)
    else:
        np.ascontiguousarray(M.T, dtype='<f4').tofile(path)
    fields = {'layout': 'frame-major'} if store == 'frame-major' else {}
    if win_length is not None:
        fields['winLength'] = win_length
    if power:
        fields['magnitudeScale'] = 'power'
    emit(name, truth(magnitudeFile={'format': 'npy'} if store == 'npy' else raw('float32'), phaseFile=None, frames=Z.shape[1], bins=Z.shape[0],
                     nfft=n_fft, hop=hop, center=True, padMode='reflect', firstFrameStart=-(n_fft // 2), sampleRate=rate,
                     originalLength=len(x), **fields),
         (file, None), x, sig, 'torch.stft ' + torch.__version__, call, True)


def magonly2_fixtures(S, tmp):
    """Magnitude-only files from the real tools with settings the four tuning fixtures do not have. Kept short
    (the whole fixture folder stays under 5 MB): each file is 17-27 kB (du -sb also counts each folder as 4 kB)."""
    import scipy
    sv = 'scipy.signal.spectrogram ' + scipy.__version__

    # 1. scipy.signal.spectrogram mode='magnitude', nperseg 512, default noverlap 512 // 8 = 64 (hop 448), tukey 0.25,
    #    constant detrend, density scaling; speech with silences, first 12000 samples; float32 tofile (bins, frames).
    rate, x, _ = S['speech16']
    x = x[:12000]
    _, _, M = sps.spectrogram(x.astype(np.float64), fs=rate, nperseg=512, mode='magnitude')
    name = 'scipy-spectrogram-magnitude-512-magonly'
    d = folder(name)
    M.astype('<f4').tofile(os.path.join(d, 'magnitude.f32'))
    w = sps.get_window(('tukey', 0.25), 512)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, frames=M.shape[1], bins=M.shape[0], nfft=512, hop=448, window='tukey-0.25',
                     detrend='constant', gain=float(np.sqrt(1 / (rate * (w * w).sum()))), sampleRate=rate),
         ('magnitude.f32', None), x, 'speech16', sv, "spectrogram(x[:12000], fs, nperseg=512, mode='magnitude'), other arguments default; tofile float32", True)

    # 2. scipy.signal.spectrogram psd with window='hann' (periodic) 256, noverlap 192 (hop 64), constant detrend; the chord, 2560 samples.
    rate, x, _ = S['chord8']
    x = x[:2560]
    _, _, P = sps.spectrogram(x.astype(np.float64), fs=rate, window='hann', nperseg=256, noverlap=192)
    name = 'scipy-spectrogram-psd-hann-256-192-magonly'
    d = folder(name)
    P.astype('<f4').tofile(os.path.join(d, 'psd.f32'))
    w = sps.get_window('hann', 256)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, frames=P.shape[1], bins=P.shape[0], nfft=256, hop=64, detrend='constant',
                     magnitudeScale='power', gain=psd_gain(rate, w), sampleRate=rate),
         ('psd.f32', None), x, 'chord8', sv, "spectrogram(x[:2560], fs, window='hann', nperseg=256, noverlap=192) (mode psd); tofile float32", True,
         notes=PSD_EDGE_NOTE, edge_bin_gain=psd_edge_gain(129), extra_meta=PSD_EDGE_META)

    # 3. torch.stft(...).abs(), n_fft 512 hop 128, centre (reflect) by default; the ALSA speech, 2560 samples; bin-major float32 tofile.
    torch_magnitude_fixture(S, 'torch-abs-512-128-magonly', 'alsa8', 2560, 512, 128, 'mag.f32',
                            "torch.stft(x[:2560], n_fft=512, hop_length=128, window=torch.hann_window(512), return_complex=True).abs() (center=True, pad_mode='reflect' defaults); .numpy().tofile float32 (bins, frames)")

    # 4. a torch power spectrogram (abs()**2, as torchaudio's Spectrogram(power=2)), n_fft 400 hop 160; speech cut mid-word, 4000 samples; np.save float32.
    torch_magnitude_fixture(S, 'torch-power-400-160-magonly-npy', 'cut16', 4000, 400, 160, 'power.npy',
                            "torch.stft(x[:4000], n_fft=400, hop_length=160, window=torch.hann_window(400), return_complex=True).abs()**2; np.save float32 (bins, frames)", power=True, store='npy')

    # 5. matplotlib.mlab.specgram mode='magnitude', NFFT 512, noverlap 384 (hop 128), window_hanning (np.hanning, symmetric), no detrend,
    #    |X| / sum(w) (no one-sided doubling in magnitude mode); speech with its leading silence, first 2944 samples; frame-major float32.
    mlab_speech_magnitude(S, 'mlab-specgram-magnitude-512-384-magonly', 2944, 512, 384)

    # 6. Octave specgram with every default (n 256, window hanning(256) symmetric, overlap 128, Fs 2): abs(S) fwrite float32; the chord, first 4800 samples.
    octave_chord_fixture(S, tmp, 'octave-specgram-defaults-magonly', 4800, 'specgram(x)',
                         "S = specgram(x(1:4800)) (all defaults: 256, hanning(256), overlap 128); fwrite(abs(S), 'float32')", 256, 128,
                         bins=128, nfft=256, windowSymmetry='symmetric')


def magonly3_fixtures(S, tmp):
    """A second held-out magnitude-only set: short files (20-60 frames) from the real tools with settings no earlier
    fixture has, generated and measured before any change was made for them (6 of 8 failed)."""
    import scipy, matplotlib, aubio
    from matplotlib import mlab
    # 1. torchaudio Spectrogram's defaults emulated with torch.stft (torchaudio is not installed): n_fft 400, win 400 periodic
    #    Hann, hop 200, centre reflect, power 2; speech with its leading silence, first 8000 samples; np.save (Fortran-ordered).
    torch_magnitude_fixture(S, 'torch-power-400-200-magonly-npy', 'speech16', 8000, 400, 200, 'power.npy',
                            "torch.stft(x[:8000], n_fft=400, hop_length=200, window=torch.hann_window(400), center=True, pad_mode='reflect', return_complex=True).abs()**2 "
                            "(torchaudio.transforms.Spectrogram() defaults); np.save float32 (bins, frames)", power=True, store='npy')

    # 2. Whisper-like: n_fft 512, win_length 400 (torch centres the shorter window in the frame), hop 160; speech cut mid-word,
    #    4800 samples; .abs() bin-major float32 tofile.
    torch_magnitude_fixture(S, 'torch-abs-512-160-win400-magonly', 'cut16', 4800, 512, 160, 'mag.f32',
                            "torch.stft(x[:4800], n_fft=512, hop_length=160, win_length=400, window=torch.hann_window(400), center=True, pad_mode='reflect', "
                            "return_complex=True).abs(); .numpy().tofile float32 (bins, frames)", win_length=400)

    # 3. torch.stft n_fft 1024 hop 256, .abs(), the ALSA speech (whole second); the transpose (frames, bins) float32 tofile.
    torch_magnitude_fixture(S, 'torch-abs-1024-256-framemajor-magonly', 'alsa8', None, 1024, 256, 'mag.f32',
                            "torch.stft(x, n_fft=1024, hop_length=256, window=torch.hann_window(1024), return_complex=True).abs() (center=True, pad_mode='reflect' "
                            "defaults); .numpy().T tofile float32 (frames, bins)", store='frame-major')

    # 4. scipy.signal.stft defaults (periodic Hann 256, hop 128, boundary zeros, padded, / sum(w)), np.abs; ALSA speech, 4000 samples; float64 tofile.
    rate, x, _ = S['alsa8']
    x = x[:4000]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate)
    name = 'scipy-stft-default-abs-f64-magonly'
    d = folder(name)
    np.abs(Z).astype('<f8').tofile(os.path.join(d, 'mag.f64'))
    w = sps.get_window('hann', 256)
    emit(name, truth(magnitudeFile=raw('float64'), phaseFile=None, frames=Z.shape[1], bins=Z.shape[0], nfft=256, hop=128, center=True,
                     padMode='zeros', firstFrameStart=-128, gain=float(1 / w.sum()), sampleRate=rate, originalLength=len(x)),
         ('mag.f64', None), x, 'alsa8', 'scipy.signal.stft scipy ' + scipy.__version__,
         'f, t, Z = scipy.signal.stft(x[:4000], fs) defaults; np.abs(Z).tofile float64 (bins, frames)', True)

    # 5. scipy.signal.spectrogram all defaults (psd, tukey 0.25 256, noverlap 32 -> hop 224, constant detrend) on the speech with
    #    its leading silence, first 9000 samples (40 frames); float32 tofile.
    rate, x, _ = S['speech16']
    x = x[:9000]
    _, _, P = sps.spectrogram(x.astype(np.float64), fs=rate)
    name = 'scipy-spectrogram-psd-speech-magonly'
    d = folder(name)
    P.astype('<f4').tofile(os.path.join(d, 'psd.f32'))
    w = sps.get_window(('tukey', 0.25), 256)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, frames=P.shape[1], bins=P.shape[0], nfft=256, hop=224, window='tukey-0.25',
                     detrend='constant', magnitudeScale='power', gain=psd_gain(rate, w), sampleRate=rate),
         ('psd.f32', None), x, 'speech16', 'scipy.signal.spectrogram scipy ' + scipy.__version__,
         'spectrogram(x[:9000], fs) all defaults (mode psd); tofile float32 (bins, frames)', True,
         notes=PSD_EDGE_NOTE, edge_bin_gain=psd_edge_gain(129), extra_meta=PSD_EDGE_META)

    # 6. matplotlib.mlab.specgram default mode psd, NFFT 128 noverlap 64 (np.hanning symmetric, no detrend); speech cut mid-word,
    #    2560 samples; np.save float32 (bins, frames) -- mlab's output is a transposed view, so Fortran-ordered.
    rate, x, _ = S['cut16']
    x = x[:2560]
    P, f, tt = mlab.specgram(x.astype(np.float64), NFFT=128, Fs=rate, noverlap=64)
    name = 'mlab-specgram-psd-128-64-magonly'
    d = folder(name)
    np.save(os.path.join(d, 'psd.npy'), P.astype('<f4'))
    w = np.hanning(128)
    emit(name, truth(magnitudeFile={'format': 'npy'}, phaseFile=None, frames=P.shape[1], bins=P.shape[0], nfft=128, hop=64, windowSymmetry='symmetric',
                     magnitudeScale='power', gain=psd_gain(rate, w), sampleRate=rate),
         ('psd.npy', None), x, 'cut16', 'matplotlib.mlab.specgram matplotlib ' + matplotlib.__version__,
         'mlab.specgram(x[:2560], NFFT=128, Fs=fs, noverlap=64) (mode psd, scale_by_freq); np.save float32 (bins, frames)', True,
         notes=PSD_EDGE_NOTE, edge_bin_gain=psd_edge_gain(65), extra_meta=PSD_EDGE_META)

    # 7. aubio.pvoc(512, 128), default window 'hanningz' (periodic Hann), cvec.norm only; the chord (no silence at the start),
    #    first 4000 samples fed in hop-sized blocks (last zero-padded); rows stacked (frames, bins) float32 tofile.
    rate, x, _ = S['chord8']
    x = x[:4000]
    N, hop = 512, 128
    p = aubio.pvoc(N, hop)
    F = -(-len(x) // hop)
    xp = np.zeros(F * hop, dtype=np.float32)
    xp[:len(x)] = x
    norm = np.zeros((F, N // 2 + 1), dtype=np.float32)
    for m in range(F):
        norm[m] = p(xp[m * hop:(m + 1) * hop]).norm
    name = 'aubio-pvoc-512-128-norm-magonly'
    d = folder(name)
    norm.tofile(os.path.join(d, 'norm.f32'))
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, layout='frame-major', frames=F, bins=N // 2 + 1, nfft=N, hop=hop, center=True,
                     padMode='zeros', firstFrameStart=hop - N, phaseReference='window-centre', sampleRate=rate, originalLength=len(x)),
         ('norm.f32', None), x, 'chord8', 'aubio.pvoc ' + aubio.version,
         "aubio.pvoc(512, 128) (window 'hanningz'); fed x[:4000] in 128-sample float32 blocks (last zero-padded); cvec.norm rows stacked (frames, bins), tofile float32", True)

    # 8. Octave specgram(x, 256, 8000, hanning(200), 120): a symmetric Hann of 200 (zero end points) at the start of a 256 FFT,
    #    hop 80, Nyquist dropped; abs(S) fwrite float32 (column-major: frame after frame); the chord, first 3200 samples.
    octave_chord_fixture(S, tmp, 'octave-specgram-hanning200-nfft256-magonly', 3200, 'specgram(x, 256, 8000, hanning(200), 120)',
                         "S = specgram(x(1:3200), 256, 8000, hanning(200), 120); fwrite(abs(S), 'float32')", 200, 80,
                         bins=128, nfft=256, windowPlacement='start', window='hann', windowSymmetry='symmetric')


def magonly4_fixtures(S, tmp):
    """A third held-out magnitude-only set: short files (20-60 frames) from the real tools with (tool, nfft, hop, window)
    combinations no earlier fixture has, measured once, blind, after magnitude-fit was changed on magonly3. Not
    committed (the committed folder is at its 5 MB cap): it only runs when named, into REAL_FIXTURES_OUT."""
    import scipy
    # 1. torch.stft n_fft 256, hop 96, periodic Hann, centre reflect, .abs(); speech with its leading silence, first 4800 samples;
    #    np.save float32 (bins, frames) -- a transposed view, so Fortran-ordered. (256/64 is taken by the stereo and torch.save fixtures.)
    torch_magnitude_fixture(S, 'torch-abs-256-96-magonly-npy', 'speech16', 4800, 256, 96, 'mag.npy',
                            "torch.stft(x[:4800], n_fft=256, hop_length=96, window=torch.hann_window(256), center=True, pad_mode='reflect', "
                            "return_complex=True).abs(); np.save float32 (bins, frames)", store='npy')

    # 2. torch.stft n_fft 800, hop 200, win_length 800, periodic Hann, centre reflect, power .abs()**2; speech cut mid-word (no
    #    silence at the start), first 8000 samples; bin-major float32 tofile.
    torch_magnitude_fixture(S, 'torch-power-800-200-magonly', 'cut16', 8000, 800, 200, 'power.f32',
                            "torch.stft(x[:8000], n_fft=800, hop_length=200, win_length=800, window=torch.hann_window(800), center=True, pad_mode='reflect', "
                            "return_complex=True).abs()**2; .numpy().tofile float32 (bins, frames)", win_length=800, power=True)

    # 3. scipy.signal.stft nperseg 512, noverlap 384 (hop 128), window 'hamming' (get_window: periodic), boundary zeros, padded,
    #    / sum(w); np.abs; speech with its leading silence, first 6400 samples; float32 tofile (bins, frames).
    rate, x, _ = S['speech16']
    x = x[:6400]
    f, tt, Z = sps.stft(x.astype(np.float64), fs=rate, window='hamming', nperseg=512, noverlap=384)
    name = 'scipy-stft-hamming-512-384-magonly'
    d = folder(name)
    np.abs(Z).astype('<f4').tofile(os.path.join(d, 'mag.f32'))
    w = sps.get_window('hamming', 512)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, frames=Z.shape[1], bins=Z.shape[0], nfft=512, hop=128, window='hamming',
                     center=True, padMode='zeros', firstFrameStart=-256, gain=float(1 / w.sum()), sampleRate=rate, originalLength=len(x)),
         ('mag.f32', None), x, 'speech16', 'scipy.signal.stft scipy ' + scipy.__version__,
         "f, t, Z = scipy.signal.stft(x[:6400], fs, window='hamming', nperseg=512, noverlap=384); np.abs(Z).tofile float32 (bins, frames)", True)

    # 4. scipy.signal.spectrogram nperseg 128, other arguments default (tukey 0.25, noverlap 128 // 8 = 16 -> hop 112, constant detrend,
    #    psd); the ALSA speech (short leading silence), first 4000 samples; float32 tofile (bins, frames).
    rate, x, _ = S['alsa8']
    x = x[:4000]
    _, _, P = sps.spectrogram(x.astype(np.float64), fs=rate, nperseg=128)
    name = 'scipy-spectrogram-psd-128-magonly'
    d = folder(name)
    P.astype('<f4').tofile(os.path.join(d, 'psd.f32'))
    w = sps.get_window(('tukey', 0.25), 128)
    emit(name, truth(magnitudeFile=raw('float32'), phaseFile=None, frames=P.shape[1], bins=P.shape[0], nfft=128, hop=112, window='tukey-0.25',
                     detrend='constant', magnitudeScale='power', gain=psd_gain(rate, w), sampleRate=rate),
         ('psd.f32', None), x, 'alsa8', 'scipy.signal.spectrogram scipy ' + scipy.__version__,
         'spectrogram(x[:4000], fs, nperseg=128), other arguments default (mode psd); tofile float32 (bins, frames)', True,
         notes=PSD_EDGE_NOTE, edge_bin_gain=psd_edge_gain(65), extra_meta=PSD_EDGE_META)

    # 5. matplotlib.mlab.specgram mode='magnitude', NFFT 512, noverlap 256 (hop 256), np.hanning (symmetric), no detrend, |X| / sum(w);
    #    speech with silence at both ends, first 15000 samples; the transpose (frames, bins) float32 tofile.
    mlab_speech_magnitude(S, 'mlab-specgram-magnitude-512-256-magonly', 15000, 512, 256)

    # 6. Octave specgram(x, 512, 8000, hamming(512), 384): symmetric Hamming 512, hop 128, Nyquist dropped; abs(S) fwrite float32
    #    (column-major: frame after frame); the chord (no silence at the start), whole 6400 samples.
    octave_chord_fixture(S, tmp, 'octave-specgram-hamming512-384-magonly', 6400, 'specgram(x, 512, 8000, hamming(512), 384)',
                         "S = specgram(x(1:6400), 512, 8000, hamming(512), 384); fwrite(abs(S), 'float32')", 512, 128,
                         bins=256, nfft=512, window='hamming', windowSymmetry='symmetric')


def merged(new, new_refused):
    """The existing manifest with this run's fixtures put in place of their old entries (new ones appended)."""
    path = os.path.join(OUT, 'fixtures.json')
    old = {'fixtures': [], 'refused': []}
    if os.path.exists(path):  # a first run into an empty REAL_FIXTURES_OUT has no manifest yet
        with open(path) as fh:
            old = json.load(fh)
    names = {e['name'] for e in new} | {e['name'] for e in new_refused}
    by_name = {e['name']: e for e in new}
    fixtures = []
    for e in old['fixtures']:
        if e['name'] in by_name:
            fixtures.append(by_name.pop(e['name']))
        elif e['name'] not in names:  # refused this time: dropped
            fixtures.append(e)
    fixtures += list(by_name.values())
    return fixtures, [e for e in old['refused'] if e['name'] not in names] + new_refused


# The committed fixture folder's size limit (issue #11 §1: under 5 MB in all).
FOLDER_CAP = 5_000_000


def main():
    only = set(sys.argv[1:])
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        S = make_signals(tmp)
        steps = [('torch', lambda: torch_fixtures(S)), ('aubio', lambda: aubio_fixtures(S)), ('scipy', lambda: scipy_fixtures(S)),
                 ('mlab', lambda: mlab_fixtures(S)), ('mne', lambda: mne_fixture(S)), ('numpy', lambda: numpy_fixtures(S)),
                 ('mixed', lambda: mixed_fixtures(S)), ('octave', lambda: octave_fixtures(S, tmp)), ('kinds', lambda: kinds_fixtures(S, tmp)),
                 ('magonly2', lambda: magonly2_fixtures(S, tmp)), ('magonly3', lambda: magonly3_fixtures(S, tmp)),
                 ('magonly4', lambda: magonly4_fixtures(S, tmp)), ('pads', lambda: pad_fixtures(S)), ('blocks', lambda: block_fixtures(S)),
                 ('starts', lambda: start_fixtures(S)), ('pairs', lambda: pair_fixtures(S))]
        for key, fn in steps:
            if key in MEASURE_ONLY and key in only and OUT == DEFAULT_OUT:
                sys.exit(f'{key} is a held-out measurement, not a committed fixture set: set REAL_FIXTURES_OUT')
            if (not only and key not in MEASURE_ONLY) or key in only:
                fn()
    fixtures, refusals = manifest, refused
    if only:
        # A partial run (e.g. `... make_real_fixtures.py scipy`) replaces its own entries and keeps the other steps'.
        fixtures, refusals = merged(manifest, refused)
    total = sum(e['bytes'] for e in fixtures) + (sum(os.path.getsize(os.path.join(SIGDIR, f)) for f in os.listdir(SIGDIR)) if OUT == DEFAULT_OUT else 0)
    with open(os.path.join(OUT, 'fixtures.json'), 'w') as fh:
        json.dump({'generator': 'scripts/real-fixtures/make_real_fixtures.py', 'checkTolerance': TOL, 'fixtures': fixtures,
                   'refused': refusals}, fh, indent=1)
    print(f'{len(manifest)} fixtures written, {len(refused)} refused, {total / 1e6:.2f} MB')
    if OUT == DEFAULT_OUT:
        # What the commit holds: every file, truths and the manifest included (issue #11: under 5 MB in all).
        held = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(OUT) for f in files)
        print(f'test/fixtures/real holds {held:,} bytes in all')
        if held >= FOLDER_CAP:
            sys.exit(f'over the {FOLDER_CAP:,}-byte cap: shrink a fixture before committing')


if __name__ == '__main__':
    main()
