/* gdescent._callbacks: the compiled entry from libgdescent into a Python objective.
 *
 * ABI-mode cffi callbacks build a Python object for every argument and run the
 * binding's copy-in and copy-out as Python code; this module does that work in C, so
 * that a Python objective costs little more than fun itself (bench/README.md, "Python
 * callbacks").  The binding uses it when it can be imported and keeps its cffi
 * callbacks otherwise: this module never calls libgdescent and is not linked to it,
 * it only hands the library a gd_fdf_fn (PLAIN) and the object it expects as user.
 *
 * A Plain object holds fun, n, numpy.empty (to make the arrays fun receives: NumPy's
 * C API would tie the module to one NumPy ABI) and the binding's general path for a
 * result the fast path below does not take.  Its error attribute holds the first
 * exception fun raised since the binding last took it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "gdescent.h"

typedef struct {
    PyObject ob_base; /* PyObject_HEAD, spelt out for clang-format */
    PyObject *fun;
    PyObject *new_vector;
    PyObject *general_result;
    PyObject *size;
    PyObject *error;
    Py_ssize_t n;
} Plain;

/* Keeps the raised exception, with its traceback, unless one is already kept: the
 * first one is what stopped the run. */
static void keep_error(Plain *self)
{
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (value && traceback)
        PyException_SetTraceback(value, traceback);
    if (value && self->error == Py_None) {
        Py_SETREF(self->error, value);
        value = NULL;
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
}

/* Copies count doubles into the buffer of array, which must be writable, contiguous
 * and hold exactly that many: numpy.empty's result always does. */
static int fill_array(PyObject *array, const double *values, Py_ssize_t count)
{
    Py_buffer view;
    if (PyObject_GetBuffer(array, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    int fits = view.len == count * (Py_ssize_t)sizeof(double);
    if (fits)
        memcpy(view.buf, values, (size_t)view.len);
    PyBuffer_Release(&view);
    if (!fits)
        PyErr_SetString(PyExc_RuntimeError, "numpy.empty gave an array of another size");
    return fits ? 0 : -1;
}

/* Stores a C-contiguous vector of n float64 at grad; returns 1 when it did, 0 when
 * gradient is not such a vector (no error set), -1 on an error. */
static int store_contiguous(PyObject *gradient, Py_ssize_t n, double *grad)
{
    Py_buffer view;
    if (PyObject_GetBuffer(gradient, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_BufferError) &&
            !PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_ValueError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    int is_vector = view.ndim == 1 && view.shape[0] == n &&
                    view.itemsize == (Py_ssize_t)sizeof(double) && view.format &&
                    strcmp(view.format, "d") == 0;
    if (is_vector)
        memcpy(grad, view.buf, (size_t)n * sizeof(double));
    PyBuffer_Release(&view);
    return is_vector;
}

/* The binding's general path: general_result(result, n), with n None when no gradient
 * is asked for, returns (float(f), a contiguous float64 vector of n, or None) or raises
 * what the binding raises for a malformed result. */
static int store_general(Plain *self, PyObject *result, double *f, double *grad)
{
    PyObject *checked = PyObject_CallFunctionObjArgs(self->general_result, result,
                                                     grad ? self->size : Py_None, NULL);
    if (!checked)
        return -1;
    int status = -1;
    if (PyTuple_Check(checked) && PyTuple_GET_SIZE(checked) == 2 &&
        PyFloat_Check(PyTuple_GET_ITEM(checked, 0))) {
        *f = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(checked, 0));
        status = grad ? store_contiguous(PyTuple_GET_ITEM(checked, 1), self->n, grad) : 1;
        if (status == 0)
            PyErr_SetString(PyExc_RuntimeError, "the general path returned no vector");
        status = status == 1 ? 0 : -1;
    } else {
        PyErr_SetString(PyExc_RuntimeError, "the general path returned no (f, grad)");
    }
    Py_DECREF(checked);
    return status;
}

/* f and the gradient from fun's result.  The common result, a tuple of a float (or
 * NumPy float64, a float subclass) and a contiguous float64 vector of n, is stored
 * here; anything else goes through the binding's general path. */
static int store_result(Plain *self, PyObject *result, double *f, double *grad)
{
    if (PyTuple_CheckExact(result) && PyTuple_GET_SIZE(result) == 2 &&
        PyFloat_Check(PyTuple_GET_ITEM(result, 0))) {
        int stored = grad ? store_contiguous(PyTuple_GET_ITEM(result, 1), self->n, grad) : 1;
        if (stored < 0)
            return -1;
        if (stored) {
            *f = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(result, 0));
            return 0;
        }
    }
    return store_general(self, result, f, grad);
}

static int evaluate(Plain *self, const double *x, double *f, double *grad)
{
    PyObject *copy = PyObject_CallOneArg(self->new_vector, self->size);
    if (!copy)
        return -1;
    if (fill_array(copy, x, self->n) < 0) {
        Py_DECREF(copy);
        return -1;
    }
    PyObject *result = PyObject_CallOneArg(self->fun, copy);
    Py_DECREF(copy);
    if (!result)
        return -1;
    int status = store_result(self, result, f, grad);
    Py_DECREF(result);
    return status;
}

/* The gd_fdf_fn the library calls, with user a Plain object; it takes the GIL (the
 * library may be called with it released).  Returns 1, the library's callback
 * failure, when fun or the copies raised, with the exception kept. */
static int plain_fdf(const double *x, size_t n, double *f, double *grad, void *user)
{
    Plain *self = user;
    PyGILState_STATE gil = PyGILState_Ensure();
    int status = -1;
    if (!self->fun || (size_t)self->n != n)
        PyErr_SetString(PyExc_RuntimeError, "the objective's callback state does not match it");
    else
        status = evaluate(self, x, f, grad);
    if (status < 0)
        keep_error(self);
    PyGILState_Release(gil);
    return status < 0 ? 1 : 0;
}

static const gd_fdf_fn plain_entry = plain_fdf;

static int Plain_init(Plain *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"fun", "n", "new_vector", "general_result", NULL};
    PyObject *fun, *new_vector, *general_result;
    Py_ssize_t n;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OnOO", names, &fun, &n, &new_vector,
                                     &general_result))
        return -1;
    if (n < 1) {
        PyErr_SetString(PyExc_ValueError, "n must be at least 1");
        return -1;
    }
    if (self->fun) { /* the library may hold its address with this n */
        PyErr_SetString(PyExc_TypeError, "a Plain object is initialized once");
        return -1;
    }
    PyObject *size = PyLong_FromSsize_t(n);
    if (!size)
        return -1;
    Py_INCREF(fun);
    Py_INCREF(new_vector);
    Py_INCREF(general_result);
    Py_XSETREF(self->fun, fun);
    Py_XSETREF(self->new_vector, new_vector);
    Py_XSETREF(self->general_result, general_result);
    Py_XSETREF(self->size, size);
    if (!self->error) {
        Py_INCREF(Py_None);
        self->error = Py_None;
    }
    self->n = n;
    return 0;
}

static int Plain_traverse(Plain *self, visitproc visit, void *arg)
{
    Py_VISIT(self->fun);
    Py_VISIT(self->new_vector);
    Py_VISIT(self->general_result);
    Py_VISIT(self->error);
    return 0;
}

static int Plain_clear(Plain *self)
{
    Py_CLEAR(self->fun);
    Py_CLEAR(self->new_vector);
    Py_CLEAR(self->general_result);
    Py_CLEAR(self->size);
    Py_CLEAR(self->error);
    return 0;
}

static void Plain_dealloc(Plain *self)
{
    PyObject_GC_UnTrack(self);
    Plain_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Plain_get_error(Plain *self, void *closure)
{
    (void)closure;
    PyObject *error = self->error ? self->error : Py_None;
    Py_INCREF(error);
    return error;
}

static int Plain_set_error(Plain *self, PyObject *value, void *closure)
{
    (void)closure;
    if (!value) {
        PyErr_SetString(PyExc_TypeError, "error cannot be deleted; set it to None");
        return -1;
    }
    Py_INCREF(value);
    Py_XSETREF(self->error, value);
    return 0;
}

static PyObject *Plain_get_address(Plain *self, void *closure)
{
    (void)closure;
    return PyLong_FromVoidPtr(self);
}

static PyObject *Plain_get_fun(Plain *self, void *closure)
{
    (void)closure;
    PyObject *fun = self->fun ? self->fun : Py_None;
    Py_INCREF(fun);
    return fun;
}

static PyObject *Plain_get_n(Plain *self, void *closure)
{
    (void)closure;
    return PyLong_FromSsize_t(self->n);
}

static PyGetSetDef Plain_getset[] = {
    {"error", (getter)Plain_get_error, (setter)Plain_set_error,
     "The first exception fun raised since it was last taken, or None.", NULL},
    {"address", (getter)Plain_get_address, NULL,
     "This object's address: the user pointer to give the library with PLAIN.", NULL},
    {"fun", (getter)Plain_get_fun, NULL, "The objective's function.", NULL},
    {"n", (getter)Plain_get_n, NULL, "The dimension.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Plain_slots[] = {
    {Py_tp_doc, "Plain(fun, n, new_vector, general_result): the state of one Python "
                "objective that PLAIN calls."},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, (void *)Plain_init},
    {Py_tp_traverse, (void *)Plain_traverse},
    {Py_tp_clear, (void *)Plain_clear},
    {Py_tp_dealloc, (void *)Plain_dealloc},
    {Py_tp_getset, Plain_getset},
    {0, NULL},
};

static PyType_Spec Plain_spec = {
    .name = "gdescent._callbacks.Plain",
    .basicsize = sizeof(Plain),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = Plain_slots,
};

static int callbacks_exec(PyObject *module)
{
    PyObject *plain_type = PyType_FromModuleAndSpec(module, &Plain_spec, NULL);
    if (!plain_type)
        return -1;
    if (PyModule_AddObject(module, "Plain", plain_type) < 0) {
        Py_DECREF(plain_type);
        return -1;
    }
    PyObject *entry = PyLong_FromUnsignedLongLong((uintptr_t)plain_entry);
    if (!entry)
        return -1;
    if (PyModule_AddObject(module, "PLAIN", entry) < 0) {
        Py_DECREF(entry);
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot callbacks_slots[] = {
    {Py_mod_exec, (void *)callbacks_exec},
    {0, NULL},
};

static struct PyModuleDef callbacks_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "gdescent._callbacks",
    .m_doc = "The compiled gd_fdf_fn of the binding's Python objectives.",
    .m_size = 0,
    .m_slots = callbacks_slots,
};

PyMODINIT_FUNC PyInit__callbacks(void)
{
    return PyModuleDef_Init(&callbacks_module);
}
