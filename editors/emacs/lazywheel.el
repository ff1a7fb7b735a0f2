;;; lazywheel.el --- Dependency metadata on hover for requirements files and pyproject.toml -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: tools, languages

;;; Commentary:

;; Starts `lazywheel serve' (a language server for Python dependency documents) with the built-in
;; jsonrpc.el, shows the project's metadata of the dependency at point through eldoc (asked
;; asynchronously, so a slow index never freezes Emacs), and shows the server's diagnostics
;; (unknown project, no matching version, yanked pin, no wheel, syntax errors) through flymake.
;;
;;   (require 'lazywheel)
;;   (setq lazywheel-index-url "http://127.0.0.1:8080/simple/")
;;   (add-hook 'find-file-hook #'lazywheel-maybe-enable)
;;
;; eglot (built into Emacs 29+, Debian's elpa-eglot on 28) is the other path: loading this file
;; registers the server in `eglot-server-programs'; settings come from
;; `eglot-workspace-configuration' (section `lazywheel').

;;; Code:

(require 'jsonrpc)
(require 'eldoc)
(require 'flymake)
(require 'subr-x)

(defgroup lazywheel nil "Python dependency metadata from lazywheel." :group 'tools)

(defcustom lazywheel-server-command '("lazywheel" "serve")
  "Command starting the lazywheel server.
Its program is a path, or a name looked up on `exec-path'; the
default name `lazywheel' is also looked up in $VIRTUAL_ENV/bin and
where `uv tool install' and pipx put commands (see
`lazywheel-find-executable')." :type '(repeat string))
(defcustom lazywheel-index-url nil "Simple index URL (nil: environment, pip.conf, uv.toml)." :type '(choice (const nil) string))
(defcustom lazywheel-python nil "Target Python version, e.g. \"3.12\"." :type '(choice (const nil) string))
(defcustom lazywheel-platform nil "Target platform tag, e.g. \"manylinux_2_28_x86_64\"." :type '(choice (const nil) string))

(defcustom lazywheel-hover-timeout 30 "Seconds an eldoc hover may take before it is dropped." :type 'number)

(defvar lazywheel--connection nil "The running server connection.")
(defvar lazywheel--initialized nil "Whether the server answered `initialize'.")
(defvar lazywheel--waiting nil
  "Functions sending requests once the server answered `initialize'.")
(defvar lazywheel-mode)

(defun lazywheel--when-initialized (send)
  "Call SEND once the server is initialized (it refuses requests before)."
  (lazywheel-connection)
  (if lazywheel--initialized (funcall send) (push send lazywheel--waiting)))
(defvar lazywheel--diagnostics (make-hash-table :test #'equal) "URI to the last published diagnostics.")
(defvar-local lazywheel--version 0 "Version of the buffer's text last sent to the server.")

(defun lazywheel-dependency-file-p (file-name)
  "Whether FILE-NAME is a requirements/constraints file or pyproject.toml.
The names the server recognizes: requirements*.txt, *requirements.txt, any .txt in a
requirements/ or constraints/ directory, *.in, constraints*.txt, pyproject.toml."
  (let* ((file-name (or file-name ""))
         (base (downcase (file-name-nondirectory file-name)))
         (directory (downcase (file-name-nondirectory (directory-file-name (or (file-name-directory file-name) ""))))))
    (or (string= base "pyproject.toml")
        (string-suffix-p ".in" base)
        (and (string-suffix-p ".txt" base)
             (or (string-match-p "requirement" base) (string-prefix-p "constraint" base)
                 (string-prefix-p "requirement" directory) (string-prefix-p "constraint" directory))))))

;;;###autoload
(define-derived-mode lazywheel-requirements-mode conf-unix-mode "Requirements"
  "Major mode for pip requirements and constraints files (`#' comments).
Lets eglot serve them where `pip-requirements-mode' is not installed.")

;;;###autoload
(unless (fboundp 'pip-requirements-mode)
 (add-to-list 'auto-mode-alist
             '("\\(?:/requirements[^/]*\\.\\(?:txt\\|in\\)\\|/constraints[^/]*\\.txt\\|/requirements/[^/]*\\.txt\\|requirements\\.txt\\)\\'"
               . lazywheel-requirements-mode)))

(defun lazywheel--initialization-options ()
  (append (when lazywheel-index-url (list :indexUrl lazywheel-index-url))
          (when lazywheel-python (list :python lazywheel-python))
          (when lazywheel-platform (list :platform lazywheel-platform))))

(defun lazywheel--notification (_connection method params)
  "Handle server notification METHOD with PARAMS."
  (pcase method
    ('textDocument/publishDiagnostics
     (let ((uri (plist-get params :uri)))
       (puthash uri (append (plist-get params :diagnostics) nil) lazywheel--diagnostics)
       (dolist (buffer (buffer-list))
         (with-current-buffer buffer
           (when (and lazywheel-mode buffer-file-name (equal (lazywheel--uri) uri) (bound-and-true-p flymake-mode))
             (flymake-start))))))
    ('window/showMessage (message "%s" (plist-get params :message)))))

(defun lazywheel-find-executable ()
  "The lazywheel executable to run, or nil when there is none.
The program of `lazywheel-server-command' when it is an executable
path or a name on `exec-path'; for the default name `lazywheel',
also $VIRTUAL_ENV/bin, then $UV_TOOL_BIN_DIR, $PIPX_BIN_DIR,
$XDG_BIN_HOME and ~/.local/bin (where `uv tool install' and pipx put
commands)."
  (let ((program (car lazywheel-server-command))
        (runnable (lambda (path) (and (file-executable-p path) (not (file-directory-p path)) path))))
    (cond ((null program) nil)
          ((file-name-directory program) (funcall runnable (expand-file-name program)))
          ((executable-find program))
          ((equal program "lazywheel")
           (let ((folders (list (when-let ((venv (getenv "VIRTUAL_ENV"))) (expand-file-name "bin" venv))
                                (getenv "UV_TOOL_BIN_DIR") (getenv "PIPX_BIN_DIR") (getenv "XDG_BIN_HOME")
                                "~/.local/bin"))
                 found)
             (dolist (folder folders found)
               (when (and folder (not found))
                 (setq found (funcall runnable (expand-file-name "lazywheel" folder))))))))))

(defvar lazywheel--missing-reported nil "Whether the missing executable was reported this session.")

(defun lazywheel-server-command ()
  "`lazywheel-server-command' with its program found.
Nil when there is none, after saying once how to install it."
  (if-let ((program (lazywheel-find-executable)))
      (cons program (cdr lazywheel-server-command))
    (unless lazywheel--missing-reported
      (setq lazywheel--missing-reported t)
      (display-warning
       'lazywheel
       (format (concat "The lazywheel executable was not found (%s). Install it with `uv tool install lazywheel', "
                       "`pipx install lazywheel' or `pip install lazywheel' (the wheel scripts/package builds), "
                       "or point at it: (setq lazywheel-server-command '(\"/path/to/lazywheel\" \"serve\"))")
               (if (equal (car lazywheel-server-command) "lazywheel")
                   "not on exec-path, nor in $VIRTUAL_ENV/bin or ~/.local/bin"
                 (format "lazywheel-server-command names %S" (car lazywheel-server-command))))
       :error))
    nil))

(defun lazywheel-connection ()
  "The server connection, started on first use."
  (unless (and lazywheel--connection (jsonrpc-running-p lazywheel--connection))
    (let* ((command (or (lazywheel-server-command) (user-error "lazywheel: the lazywheel executable was not found")))
           (process (make-process :name "lazywheel" :command command
                                  :connection-type 'pipe :coding 'utf-8-emacs-unix :noquery t
                                  :stderr (get-buffer-create " *lazywheel stderr*")))
           (connection (make-instance 'jsonrpc-process-connection :name "lazywheel" :process process
                                      :notification-dispatcher #'lazywheel--notification
                                      :request-dispatcher (lambda (&rest _) nil))))
      ;; Asynchronous like every request: the server handles messages in order, so the
      ;; notifications sent next arrive after `initialize'.
      (setq lazywheel--initialized nil)
      (jsonrpc-async-request connection :initialize
                             (list :processId (emacs-pid) :clientInfo '(:name "lazywheel.el") :capabilities '(:window (:workDoneProgress t))
                                   :initializationOptions (or (lazywheel--initialization-options) #s(hash-table)))
                             :success-fn (lambda (_result)
                                           (setq lazywheel--initialized t)
                                           (let ((waiting (nreverse lazywheel--waiting)))
                                             (setq lazywheel--waiting nil)
                                             (mapc #'funcall waiting)))
                             :error-fn (lambda (error) (message "lazywheel: initialize failed: %s" (plist-get error :message))))
      (jsonrpc-notify connection :initialized #s(hash-table))
      (setq lazywheel--connection connection)))
  lazywheel--connection)

(defun lazywheel--uri () (concat "file://" (expand-file-name buffer-file-name)))

(defun lazywheel--position ()
  "The LSP position of point (UTF-16 character offset)."
  (let ((line (1- (line-number-at-pos)))
        (prefix (buffer-substring-no-properties (line-beginning-position) (point))))
    (list :line line :character (/ (length (encode-coding-string prefix 'utf-16le)) 2))))

(defun lazywheel--did-open ()
  (setq lazywheel--version 1)
  (jsonrpc-notify (lazywheel-connection) :textDocument/didOpen
                  (list :textDocument (list :uri (lazywheel--uri) :languageId "plaintext" :version lazywheel--version
                                            :text (buffer-substring-no-properties (point-min) (point-max))))))

(defun lazywheel--did-change (&rest _)
  (when lazywheel-mode
    (setq lazywheel--version (1+ lazywheel--version))
    (jsonrpc-notify (lazywheel-connection) :textDocument/didChange
                    (list :textDocument (list :uri (lazywheel--uri) :version lazywheel--version)
                          :contentChanges (vector (list :text (buffer-substring-no-properties (point-min) (point-max))))))))

(defun lazywheel-hover-at-point (callback)
  "Ask for the Markdown of the dependency at point; call CALLBACK with it.
CALLBACK gets nil when there is none.  Asynchronous: returns at once, so a
slow or stalled index never blocks Emacs."
  (let ((params (list :textDocument (list :uri (lazywheel--uri)) :position (lazywheel--position))))
    (lazywheel--when-initialized
     (lambda ()
       (jsonrpc-async-request (lazywheel-connection) :textDocument/hover params
                              :success-fn (lambda (result)
                                            (funcall callback (and result (plist-get (plist-get result :contents) :value))))
                              :error-fn (lambda (_error) (funcall callback nil))
                              :timeout lazywheel-hover-timeout
                              :timeout-fn (lambda () (funcall callback nil)))))))

(defun lazywheel-eldoc-function (callback &rest _)
  "Eldoc documentation function: the dependency at point's hover, to CALLBACK."
  (when lazywheel-mode
    (let ((buffer (current-buffer)))
      (lazywheel-hover-at-point
       (lambda (text)
         (when (and text (buffer-live-p buffer))
           (funcall callback text))))
      t)))

(defun lazywheel-buffer-diagnostics ()
  "The diagnostics the server last published for this buffer (plists)."
  (gethash (lazywheel--uri) lazywheel--diagnostics))

(defun lazywheel--flymake (report &rest _)
  "Flymake backend reporting the server's diagnostics through REPORT."
  (funcall report
           (mapcar (lambda (d)
                     (let* ((range (plist-get d :range))
                            (start (plist-get range :start))
                            (end (plist-get range :end))
                            (pos (lambda (p) (save-excursion (goto-char (point-min)) (forward-line (plist-get p :line))
                                                             (min (line-end-position) (+ (point) (plist-get p :character)))))))
                       (flymake-make-diagnostic (current-buffer) (funcall pos start) (max (1+ (funcall pos start)) (funcall pos end))
                                                (if (eq (plist-get d :severity) 1) :error :warning) (plist-get d :message))))
                   (lazywheel-buffer-diagnostics))))

;;;###autoload
(define-minor-mode lazywheel-mode
  "Dependency metadata on hover (eldoc) and diagnostics from lazywheel."
  :lighter " wheel"
  (if lazywheel-mode
      (progn
        (lazywheel--did-open)
        (add-hook 'after-change-functions #'lazywheel--did-change nil t)
        (add-hook 'eldoc-documentation-functions #'lazywheel-eldoc-function nil t)
        (add-hook 'flymake-diagnostic-functions #'lazywheel--flymake nil t)
        ;; What the mode is for: documentation on cursor moves and diagnostics in the buffer.
        (eldoc-mode 1)
        (flymake-mode 1))
    (remove-hook 'after-change-functions #'lazywheel--did-change t)
    (remove-hook 'eldoc-documentation-functions #'lazywheel-eldoc-function t)
    (remove-hook 'flymake-diagnostic-functions #'lazywheel--flymake t)
    (when lazywheel--connection
      (jsonrpc-notify lazywheel--connection :textDocument/didClose (list :textDocument (list :uri (lazywheel--uri)))))))

;;;###autoload
(defun lazywheel-maybe-enable ()
  "Enable `lazywheel-mode' in dependency documents (for `find-file-hook')."
  (when (and buffer-file-name (lazywheel-dependency-file-p buffer-file-name)
             ;; Without an executable the file still opens; the user is told once how to install it.
             (lazywheel-server-command))
    (lazywheel-mode 1)))

;;;###autoload
(with-eval-after-load 'eglot
  (defvar eglot-server-programs)
  (add-to-list 'eglot-server-programs
               `((lazywheel-requirements-mode pip-requirements-mode conf-toml-mode toml-ts-mode)
                 . ,(lambda (&optional _interactive) (or (lazywheel-server-command) lazywheel-server-command)))))

(provide 'lazywheel)
;;; lazywheel.el ends here
