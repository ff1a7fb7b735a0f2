;;; lazywheel.el --- Dependency metadata on hover for requirements files and pyproject.toml -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: tools, languages

;;; Commentary:

;; Starts `lazywheel serve' (a language server for Python dependency documents) with the built-in
;; jsonrpc.el, shows the project's metadata of the dependency at point through eldoc, and keeps
;; the server's diagnostics (unknown project, no matching version, yanked pin, no wheel, syntax
;; errors) per buffer, shown through flymake when `lazywheel-mode' is on.
;;
;;   (require 'lazywheel)
;;   (setq lazywheel-index-url "http://127.0.0.1:8080/simple/")
;;   (add-hook 'find-file-hook #'lazywheel-maybe-enable)
;;
;; Emacs 29+ users of eglot can instead rely on the `eglot-server-programs' entry added below.

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

(defvar lazywheel--connection nil "The running server connection.")
(defvar lazywheel--diagnostics (make-hash-table :test #'equal) "URI to the last published diagnostics.")
(defvar-local lazywheel--version 0 "Version of the buffer's text last sent to the server.")

(defun lazywheel-dependency-file-p (file-name)
  "Whether FILE-NAME is a requirements/constraints file or pyproject.toml."
  (let ((base (downcase (file-name-nondirectory (or file-name "")))))
    (or (string= base "pyproject.toml")
        (string-suffix-p ".in" base)
        (and (string-suffix-p ".txt" base)
             (or (string-match-p "requirement" base) (string-prefix-p "constraint" base))))))

(defun lazywheel--initialization-options ()
  (append (when lazywheel-index-url (list :indexUrl lazywheel-index-url))
          (when lazywheel-python (list :python lazywheel-python))
          (when lazywheel-platform (list :platform lazywheel-platform))))

(defun lazywheel--notification (_connection method params)
  "Handle server notification METHOD with PARAMS."
  (when (eq method 'textDocument/publishDiagnostics)
    (puthash (plist-get params :uri) (append (plist-get params :diagnostics) nil) lazywheel--diagnostics)))

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
      (jsonrpc-request connection :initialize
                       (list :processId (emacs-pid) :clientInfo '(:name "lazywheel.el") :capabilities '(:window (:workDoneProgress t))
                             :initializationOptions (or (lazywheel--initialization-options) #s(hash-table))))
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

(defun lazywheel-hover-at-point ()
  "The Markdown the server shows for the dependency at point, or nil."
  (let ((result (jsonrpc-request (lazywheel-connection) :textDocument/hover
                                 (list :textDocument (list :uri (lazywheel--uri)) :position (lazywheel--position))
                                 :timeout 30)))
    (when result (plist-get (plist-get result :contents) :value))))

(defun lazywheel-eldoc-function (&rest _)
  "Eldoc documentation function: the hover of the dependency at point."
  (when lazywheel-mode
    (condition-case nil (lazywheel-hover-at-point) (error nil))))

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
        (add-hook 'flymake-diagnostic-functions #'lazywheel--flymake nil t))
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
               `((pip-requirements-mode conf-toml-mode toml-ts-mode)
                 . ,(lambda (&optional _interactive) (or (lazywheel-server-command) lazywheel-server-command)))))

(provide 'lazywheel)
;;; lazywheel.el ends here
